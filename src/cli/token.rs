//! `concord token add|list|revoke`: access tokens of `concord serve`, stored hashed in
//! the memory.

use clap::{Args, Subcommand};
use concord::store::tokens::Scope;
use concord::{Error, Result};

use super::{open_for_writing, print_json};
use crate::Cli;
use concord::diag::Status;

/// Arguments of `concord token`.
#[derive(Args, Debug)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

/// The token subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Make a token and print it once (the memory keeps only its SHA-256 digest).
    Add {
        /// Who or what uses it.
        name: String,
        /// read, write (includes read) or admin (includes write).
        #[arg(long, default_value = "read", value_parser = parse_scope)]
        scope: Scope,
    },
    /// List the tokens (names, scopes, dates; never the secrets).
    List,
    /// Delete a token.
    Revoke {
        /// Its name.
        name: String,
    },
}

fn parse_scope(s: &str) -> std::result::Result<Scope, String> {
    Scope::parse(s).ok_or_else(|| format!("unknown scope {s:?} (expected read, write or admin)"))
}

pub fn run(cli: &Cli, args: &TokenArgs) -> Result<Status> {
    let mut mem = open_for_writing(cli)?;
    match &args.command {
        TokenCommand::Add { name, scope } => {
            let t = mem.add_token(name, *scope)?;
            if cli.json {
                print_json(&t)?;
            } else {
                super::print_line(&t.token)?;
                eprintln!(
                    "concord: token {:?} ({}) made; it is shown only now: keep it safe",
                    t.record.name, t.record.scope
                );
            }
        }
        TokenCommand::List => {
            let tokens = mem.tokens()?;
            if cli.json {
                print_json(&tokens)?;
            } else {
                for t in &tokens {
                    super::print_line(&format!("{}\t{}\t{}", t.name, t.scope, t.created))?;
                }
            }
        }
        TokenCommand::Revoke { name } => {
            if !mem.revoke_token(name)? {
                return Err(Error::new(
                    concord::error::ErrorKind::BadRequest,
                    format!("no token named {name:?}"),
                ));
            }
            eprintln!("concord: token {name:?} revoked");
        }
    }
    Ok(Status::Ok)
}
