//! CPU time of the calling thread and of the whole process, for time budgets that count
//! work rather than waiting (lint's alignment learning), the server's `Server-Timing`
//! header and the load bench.

use std::time::Duration;

/// The CPU time the calling thread has used so far (Linux; `None` elsewhere).
pub fn thread_time() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        clock(libc::CLOCK_THREAD_CPUTIME_ID)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The CPU time of this whole process so far, every thread including those that ended
/// (Linux; `None` elsewhere).
pub fn process_time() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        clock(libc::CLOCK_PROCESS_CPUTIME_ID)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(target_os = "linux")]
fn clock(id: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec, which lives on this stack frame.
    let r = unsafe { libc::clock_gettime(id, &mut ts) };
    (r == 0 && ts.tv_sec >= 0 && ts.tv_nsec >= 0)
        .then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn thread_time_counts_work_not_sleep() {
        let a = thread_time().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let b = thread_time().unwrap();
        assert!(b - a < Duration::from_millis(25), "sleeping: {:?}", b - a);
        // Work until 20 ms of CPU are counted (at most 10 s of wall time, for a busy
        // machine).
        let mut x = 0u64;
        let t = std::time::Instant::now();
        while thread_time().unwrap() - b < Duration::from_millis(20)
            && t.elapsed() < Duration::from_secs(10)
        {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let c = thread_time().unwrap();
        assert!(c - b >= Duration::from_millis(20), "working: {:?}", c - b);
        assert!(process_time().unwrap() >= c);
    }
}
