//! The formulaic memory: sentences of a small diplomatic grammar in English, Korean and
//! Chinese (ten templates with slots for people and their titles, countries,
//! organisations, topics, cities, dates, numbers and verbs), as a ministry's memory
//! looks: 15 % of the rows are revisions of an earlier row (one slot changed), 2 % exact
//! repeats, and a new sentence has only a few stored segments scoring 70 or more.
//!
//! Countries come from CLDR's territory names in `../shared/corpora/`; everything else
//! is listed here. Deterministic for a given seed.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::{edit, Rng};

/// One slot value in the three languages.
type Tri = (&'static str, &'static str, &'static str);

const TITLES: &[Tri] = &[
    ("Foreign Minister", "외교부 장관", "外交部长"),
    ("Vice Foreign Minister", "외교부 차관", "外交部副部长"),
    ("Ambassador", "대사", "大使"),
    ("Special Representative", "특별대표", "特别代表"),
    ("Director-General", "국장", "司长"),
    ("Spokesperson", "대변인", "发言人"),
    ("Prime Minister", "총리", "总理"),
    ("President", "대통령", "总统"),
    ("Defence Minister", "국방부 장관", "国防部长"),
    ("Trade Minister", "통상교섭본부장", "贸易部长"),
    ("National Security Adviser", "국가안보실장", "国家安全顾问"),
    ("Deputy Director-General", "부국장", "副司长"),
    ("Consul General", "총영사", "总领事"),
    ("Unification Minister", "통일부 장관", "统一部长"),
];

const FAMILY: &[Tri] = &[
    ("Kim", "김", "金"),
    ("Lee", "이", "李"),
    ("Park", "박", "朴"),
    ("Choi", "최", "崔"),
    ("Jung", "정", "郑"),
    ("Kang", "강", "姜"),
    ("Cho", "조", "赵"),
    ("Yoon", "윤", "尹"),
    ("Jang", "장", "张"),
    ("Lim", "임", "林"),
    ("Han", "한", "韩"),
    ("Oh", "오", "吴"),
    ("Seo", "서", "徐"),
    ("Shin", "신", "申"),
    ("Kwon", "권", "权"),
    ("Hwang", "황", "黄"),
    ("Ahn", "안", "安"),
    ("Song", "송", "宋"),
    ("Yoo", "유", "柳"),
    ("Hong", "홍", "洪"),
];

const GIVEN: &[Tri] = &[
    ("min", "민", "敏"),
    ("jun", "준", "俊"),
    ("seo", "서", "瑞"),
    ("yeon", "연", "妍"),
    ("ji", "지", "志"),
    ("hoon", "훈", "勋"),
    ("hyun", "현", "贤"),
    ("woo", "우", "宇"),
    ("young", "영", "英"),
    ("soo", "수", "秀"),
    ("eun", "은", "恩"),
    ("ha", "하", "夏"),
    ("jin", "진", "珍"),
    ("sung", "성", "成"),
    ("tae", "태", "泰"),
    ("na", "나", "娜"),
];

const ORGS: &[Tri] = &[
    (
        "United Nations Security Council",
        "유엔 안전보장이사회",
        "联合国安理会",
    ),
    ("United Nations General Assembly", "유엔 총회", "联合国大会"),
    (
        "International Atomic Energy Agency",
        "국제원자력기구",
        "国际原子能机构",
    ),
    ("World Health Organization", "세계보건기구", "世界卫生组织"),
    ("World Food Programme", "세계식량계획", "世界粮食计划署"),
    ("ASEAN Regional Forum", "아세안지역안보포럼", "东盟地区论坛"),
    ("Group of Twenty", "주요 20개국 협의체", "二十国集团"),
    (
        "Asia-Pacific Economic Cooperation forum",
        "아시아태평양경제협력체",
        "亚太经合组织",
    ),
    ("World Trade Organization", "세계무역기구", "世界贸易组织"),
    ("Human Rights Council", "인권이사회", "人权理事会"),
    (
        "International Committee of the Red Cross",
        "국제적십자위원회",
        "红十字国际委员会",
    ),
    (
        "Organisation for Economic Co-operation and Development",
        "경제협력개발기구",
        "经济合作与发展组织",
    ),
    ("European Union", "유럽연합", "欧洲联盟"),
    ("African Union", "아프리카연합", "非洲联盟"),
    (
        "United Nations Children's Fund",
        "유엔아동기금",
        "联合国儿童基金会",
    ),
    ("Conference on Disarmament", "군축회의", "裁军谈判会议"),
    ("Green Climate Fund", "녹색기후기금", "绿色气候基金"),
    (
        "International Maritime Organization",
        "국제해사기구",
        "国际海事组织",
    ),
];

const TOPICS: &[Tri] = &[
    (
        "the denuclearization of the Korean Peninsula",
        "한반도 비핵화",
        "朝鲜半岛无核化",
    ),
    ("regional security", "지역 안보", "地区安全"),
    ("climate change", "기후변화", "气候变化"),
    ("humanitarian assistance", "인도적 지원", "人道主义援助"),
    ("maritime security", "해양 안보", "海上安全"),
    ("cyber security", "사이버 안보", "网络安全"),
    ("supply chain resilience", "공급망 안정", "供应链韧性"),
    ("nuclear non-proliferation", "핵 비확산", "核不扩散"),
    ("counter-terrorism", "대테러 협력", "反恐合作"),
    ("trade and investment", "무역과 투자", "贸易与投资"),
    ("energy security", "에너지 안보", "能源安全"),
    ("public health", "공중보건", "公共卫生"),
    (
        "the protection of overseas nationals",
        "재외국민 보호",
        "海外公民保护",
    ),
    ("refugee resettlement", "난민 재정착", "难民重新安置"),
    ("food security", "식량 안보", "粮食安全"),
    (
        "the peace process in the Middle East",
        "중동 평화 프로세스",
        "中东和平进程",
    ),
    ("sanctions implementation", "제재 이행", "制裁执行"),
    ("development cooperation", "개발 협력", "发展合作"),
    (
        "the reunion of separated families",
        "이산가족 상봉",
        "离散家属团聚",
    ),
    ("space cooperation", "우주 협력", "航天合作"),
    ("critical minerals", "핵심 광물", "关键矿产"),
    ("disaster relief", "재난 구호", "救灾"),
    ("cultural exchanges", "문화 교류", "文化交流"),
    (
        "the rights of migrant workers",
        "이주 노동자의 권리",
        "移民工人权利",
    ),
    ("arms control", "군비 통제", "军备控制"),
    ("digital trade rules", "디지털 무역 규범", "数字贸易规则"),
    (
        "the reconstruction of Ukraine",
        "우크라이나 재건",
        "乌克兰重建",
    ),
    ("fisheries management", "어업 관리", "渔业管理"),
];

const CITIES: &[Tri] = &[
    ("Seoul", "서울", "首尔"),
    ("Beijing", "베이징", "北京"),
    ("Washington", "워싱턴", "华盛顿"),
    ("Tokyo", "도쿄", "东京"),
    ("Geneva", "제네바", "日内瓦"),
    ("New York", "뉴욕", "纽约"),
    ("Jakarta", "자카르타", "雅加达"),
    ("Brussels", "브뤼셀", "布鲁塞尔"),
    ("Hanoi", "하노이", "河内"),
    ("Busan", "부산", "釜山"),
    ("Vienna", "빈", "维也纳"),
    ("Singapore", "싱가포르", "新加坡"),
    ("Bangkok", "방콕", "曼谷"),
    ("Canberra", "캔버라", "堪培拉"),
    ("Ottawa", "오타와", "渥太华"),
    ("Paris", "파리", "巴黎"),
    ("London", "런던", "伦敦"),
    ("Berlin", "베를린", "柏林"),
    ("Nairobi", "나이로비", "内罗毕"),
    ("Cairo", "카이로", "开罗"),
    ("Ulaanbaatar", "울란바토르", "乌兰巴托"),
    ("Manila", "마닐라", "马尼拉"),
    ("New Delhi", "뉴델리", "新德里"),
    ("Brasilia", "브라질리아", "巴西利亚"),
];

/// Verbs before an object (English, Korean ending after the object's particle,
/// Chinese before the object).
const VERBS: &[Tri] = &[
    ("welcomed", "환영했다", "欢迎"),
    ("supported", "지지했다", "支持"),
    ("praised", "높이 평가했다", "高度评价"),
    (
        "stressed the importance of",
        "중요성을 강조했다",
        "强调了重要性",
    ),
    ("called for progress on", "진전을 촉구했다", "呼吁推进"),
    ("expressed concern over", "우려를 표명했다", "关切"),
    (
        "reaffirmed its commitment to",
        "공약을 재확인했다",
        "重申致力于",
    ),
    ("reviewed", "점검했다", "审议了"),
];

/// Openings of a sentence (index 0: none).
const HEADS: &[Tri] = &[
    ("", "", ""),
    ("Meanwhile, ", "한편 ", "与此同时，"),
    ("In a statement, ", "성명에 따르면 ", "据声明，"),
    (
        "At a press briefing, ",
        "정례 브리핑에서 ",
        "在例行记者会上，",
    ),
    (
        "As previously reported, ",
        "앞서 보도된 바와 같이 ",
        "据此前报道，",
    ),
    ("Separately, ", "이와 별도로 ", "另外，"),
    (
        "On the sidelines of the summit, ",
        "정상회의 계기에 ",
        "在峰会期间，",
    ),
];

/// Closing clauses (index 0: none); `{c}` is a country, `{t}` a topic, `{o}` an
/// organisation of their own slots.
const TAILS: &[Tri] = &[
    ("", "", ""),
    (
        " Both sides agreed to stay in close contact on {t}.",
        " 양측은 {t} 문제에 대해 긴밀히 소통하기로 합의했다.",
        "双方同意就{t}保持密切沟通。",
    ),
    (
        " Further details on {t} will be announced by the {o}.",
        " {t}에 관한 자세한 내용은 {o}가 추후 발표할 예정이다.",
        "关于{t}的更多细节将由{o}稍后公布。",
    ),
    (
        " The ministry declined to comment on reports from {c}.",
        " 외교부는 {c} 측 보도에 대한 언급을 거부했다.",
        "外交部拒绝评论来自{c}的报道。",
    ),
    (
        " Representatives of {c} and the {o} also attended.",
        " {c} 대표와 {o} 관계자도 참석했다.",
        "{c}代表和{o}官员也出席了会议。",
    ),
    (
        " A joint statement on {t} was issued afterwards.",
        " 이후 {t}에 관한 공동성명이 발표되었다.",
        "会后发表了关于{t}的联合声明。",
    ),
    (
        " The next meeting will be held in {c} in the second half of the year.",
        " 다음 회의는 하반기에 {c}에서 열릴 예정이다.",
        "下次会议将于下半年在{c}举行。",
    ),
    (
        " The two sides also exchanged views on {t}.",
        " 양측은 {t}에 대해서도 의견을 교환했다.",
        "双方还就{t}交换了意见。",
    ),
    (
        " Officials from {c} described the consultations as constructive.",
        " {c} 당국자들은 이번 협의가 건설적이었다고 평가했다.",
        "{c}官员表示，此次磋商富有建设性。",
    ),
    (
        " It was the first meeting on {t} in three years.",
        " {t}에 관한 회의는 3년 만에 처음이다.",
        "这是三年来首次就{t}举行会议。",
    ),
    (
        " The embassy in {c} will provide consular assistance as needed.",
        " 주{c} 대사관은 필요한 영사 조력을 제공할 예정이다.",
        "驻{c}使馆将视情提供领事协助。",
    ),
    (
        " The {o} is expected to review {t} next month.",
        " {o}는 다음 달 {t} 문제를 검토할 예정이다.",
        "{o}预计下月审议{t}问题。",
    ),
    (
        " Observers in {c} described the outcome as a modest step forward.",
        " {c}의 전문가들은 이번 결과를 작은 진전으로 평가했다.",
        "{c}观察人士认为此次成果是向前迈出的一小步。",
    ),
    (
        " No date has been set for the next round of talks on {t}.",
        " {t}에 관한 다음 회담 일정은 아직 정해지지 않았다.",
        "关于{t}的下一轮会谈日期尚未确定。",
    ),
    (
        " The {o} welcomed the outcome.",
        " {o}는 이번 결과를 환영했다.",
        "{o}对此成果表示欢迎。",
    ),
    (
        " Preparations for a visit to {c} are under way.",
        " {c} 방문 준비가 진행 중이다.",
        "访问{c}的筹备工作正在进行。",
    ),
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The number of slots of a row.
const SLOTS: usize = 15;

/// One row of the grammar: a template and its slot values (indices into the lists).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Spec {
    template: u8,
    /// person (title, family, given1, given2), person 2, country, country 2, org,
    /// topic, city, verb, date (y, m, d), opening, closing clause, and the closing
    /// clause's country, topic and organisation, and a second topic.
    slot: [u32; SLOTS],
}

/// The grammar with its country list.
pub struct Grammar {
    countries: Vec<[String; 3]>,
}

fn has_final(s: &str) -> bool {
    s.chars()
        .last()
        .map(|c| {
            let u = c as u32;
            (0xAC00..=0xD7A3).contains(&u) && (u - 0xAC00) % 28 != 0
        })
        .unwrap_or(false)
}

/// Korean particle after `word`: the first form after a consonant, the second after a vowel.
fn p<'a>(word: &str, after_consonant: &'a str, after_vowel: &'a str) -> &'a str {
    if has_final(word) {
        after_consonant
    } else {
        after_vowel
    }
}

impl Grammar {
    /// Load the country names (CLDR territories with a two-letter code).
    pub fn new(corpora: &Path) -> Grammar {
        let path = corpora.join("cldr41-names.en-ko-zh.tsv");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let countries = text
            .lines()
            .skip(1)
            .filter_map(|l| {
                let c: Vec<&str> = l.split('\t').collect();
                (c.len() >= 5
                    && c[3] == "territory"
                    && c[4].len() == 2
                    && c[4].bytes().all(|b| b.is_ascii_uppercase())
                    && !c[0].contains('(')
                    && !c[0].contains(','))
                .then(|| [c[0].to_string(), c[1].to_string(), c[2].to_string()])
            })
            .collect::<Vec<_>>();
        assert!(countries.len() > 100, "too few CLDR territories");
        Grammar { countries }
    }

    fn slot_sizes(&self) -> [u32; SLOTS] {
        let persons = (TITLES.len() * FAMILY.len() * GIVEN.len() * GIVEN.len()) as u32;
        [
            persons,
            persons,
            self.countries.len() as u32,
            self.countries.len() as u32,
            ORGS.len() as u32,
            TOPICS.len() as u32,
            CITIES.len() as u32,
            VERBS.len() as u32,
            27 * 12 * 28,
            HEADS.len() as u32,
            TAILS.len() as u32,
            self.countries.len() as u32,
            TOPICS.len() as u32,
            ORGS.len() as u32,
            TOPICS.len() as u32,
        ]
    }

    fn random(&self, rng: &mut Rng) -> (Spec, u32) {
        let sizes = self.slot_sizes();
        let mut slot = [0u32; SLOTS];
        for (s, &n) in slot.iter_mut().zip(&sizes) {
            *s = rng.below(n as usize) as u32;
        }
        if rng.chance(50) {
            slot[9] = 0;
        }
        if rng.chance(25) {
            slot[10] = 0;
        }
        (
            Spec {
                template: rng.below(10) as u8,
                slot,
            },
            2 + rng.below(998) as u32,
        )
    }

    /// A revision: one slot (or the number) changed.
    fn revise(&self, rng: &mut Rng, spec: Spec, num: u32) -> (Spec, u32) {
        let sizes = self.slot_sizes();
        let mut s = spec;
        let mut n = num;
        let i = rng.below(SLOTS + 1);
        if i == SLOTS {
            n = 2 + rng.below(998) as u32;
        } else {
            s.slot[i] = rng.below(sizes[i] as usize) as u32;
        }
        (s, n)
    }

    fn person(&self, i: u32, lang: usize) -> String {
        let i = i as usize;
        let t = TITLES[i % TITLES.len()];
        let rest = i / TITLES.len();
        let f = FAMILY[rest % FAMILY.len()];
        let g1 = GIVEN[rest / FAMILY.len() % GIVEN.len()];
        let g2 = GIVEN[rest / FAMILY.len() / GIVEN.len() % GIVEN.len()];
        match lang {
            0 => {
                let mut given = format!("{}-{}", g1.0, g2.0);
                given[..1].make_ascii_uppercase();
                format!("{} {} {given}", t.0, f.0)
            }
            1 => format!("{}{}{} {}", f.1, g1.1, g2.1, t.1),
            _ => format!("{}{}{}{}", t.2, f.2, g1.2, g2.2),
        }
    }

    fn date(&self, i: u32, lang: usize) -> String {
        let (y, m, d) = (2000 + i / (12 * 28), i / 28 % 12 + 1, i % 28 + 1);
        match lang {
            0 => format!("{d} {} {y}", MONTHS[m as usize - 1]),
            1 => format!("{y}년 {m}월 {d}일"),
            _ => format!("{y}年{m}月{d}日"),
        }
    }

    /// The sentence of `spec` in language 0 (en), 1 (ko) or 2 (zh).
    fn render(&self, spec: &Spec, num: u32, lang: usize) -> String {
        let s = &spec.slot;
        let pick = |t: &Tri| -> String {
            match lang {
                0 => t.0,
                1 => t.1,
                _ => t.2,
            }
            .to_string()
        };
        let p1 = self.person(s[0], lang);
        let p2 = self.person(s[1], lang);
        let c1 = self.countries[s[2] as usize][lang].clone();
        let c2 = self.countries[s[3] as usize][lang].clone();
        let org = pick(&ORGS[s[4] as usize]);
        let topic = if s[14] == s[5] {
            pick(&TOPICS[s[5] as usize])
        } else {
            let (a, b) = (pick(&TOPICS[s[5] as usize]), pick(&TOPICS[s[14] as usize]));
            match lang {
                0 => format!("{a} and {b}"),
                1 => format!("{a}{} {b}", p(&a, "과", "와")),
                _ => format!("{a}和{b}"),
            }
        };
        let city = pick(&CITIES[s[6] as usize]);
        let verb = pick(&VERBS[s[7] as usize]);
        let date = self.date(s[8], lang);
        let head = pick(&HEADS[s[9] as usize]);
        let tail = pick(&TAILS[s[10] as usize])
            .replace("{c}", &self.countries[s[11] as usize][lang])
            .replace("{t}", &pick(&TOPICS[s[12] as usize]))
            .replace("{o}", &pick(&ORGS[s[13] as usize]));
        let n = num;
        let body = match (spec.template, lang) {
            (0, 0) => format!("On {date}, {p1} met {c1}'s {p2} in {city} and discussed {topic}."),
            (0, 1) => format!("{date} {p1}{} {city}에서 {c1}의 {p2}{} 만나 {topic}에 대해 논의했다.", p(&p1, "은", "는"), p(&p2, "과", "와")),
            (0, _) => format!("{date}，{p1}在{city}会见{c1}{p2}，双方就{topic}交换了意见。"),
            (1, 0) => format!("{p1} said on {date} that the government {verb} {topic}."),
            (1, 1) => format!("{p1}{} {date} 정부가 {topic}{} {verb}고 밝혔다.", p(&p1, "은", "는"), p(&topic, "을", "를")),
            (1, _) => format!("{p1}{date}表示，政府{verb}{topic}。"),
            (2, 0) => format!("The {org} adopted a resolution on {topic} on {date}, with {n} member states voting in favour."),
            (2, 1) => format!("{org}{} {date} {topic}에 관한 결의안을 채택했으며, {n}개 회원국이 찬성했다.", p(&org, "은", "는")),
            (2, _) => format!("{org}于{date}通过了关于{topic}的决议，{n}个成员国投了赞成票。"),
            (3, 0) => format!("{p1} will visit {c1} from {date} to attend the {org} meeting on {topic}."),
            (3, 1) => format!("{p1}{} {date}부터 {c1}{} 방문해 {topic}에 관한 {org} 회의에 참석할 예정이다.", p(&p1, "은", "는"), p(&c1, "을", "를")),
            (3, _) => format!("{p1}将于{date}起访问{c1}，出席{org}关于{topic}的会议。"),
            (4, 0) => format!("The government of {c1} announced on {date} that it will provide USD {n} million to the {org} for {topic}."),
            (4, 1) => format!("{c1} 정부는 {date} {topic}{} 위해 {org}에 {n}백만 달러를 지원하겠다고 발표했다.", p(&topic, "을", "를")),
            (4, _) => format!("{c1}政府于{date}宣布，将向{org}提供{n}百万美元，用于{topic}。"),
            (5, 0) => format!("In a telephone conversation on {date}, {p1} and {p2} of {c1} agreed to strengthen cooperation on {topic}."),
            (5, 1) => format!("{date} 전화 통화에서 {p1}{} {c1}의 {p2}{} {topic} 분야 협력을 강화하기로 합의했다.", p(&p1, "과", "와"), p(&p2, "은", "는")),
            (5, _) => format!("{date}，{p1}与{c1}{p2}通电话，双方同意加强在{topic}方面的合作。"),
            (6, 0) => format!("{p1} {verb} the {n}th round of talks between {c1} and {c2} held in {city} on {date}."),
            (6, 1) => format!("{p1}{} {date} {city}에서 열린 {c1}{} {c2} 간 제{n}차 회담에 대해 {verb}.", p(&p1, "은", "는"), p(&c1, "과", "와")),
            (6, _) => format!("{p1}{verb}{date}在{city}举行的{c1}与{c2}第{n}轮会谈。"),
            (7, 0) => format!("According to the Ministry of Foreign Affairs, {n} nationals of {c1} were evacuated from {city} on {date}."),
            (7, 1) => format!("외교부에 따르면 {date} {c1} 국민 {n}명이 {city}에서 대피했다."),
            (7, _) => format!("据外交部介绍，{date}共有{n}名{c1}公民从{city}撤离。"),
            (8, 0) => format!("{p1} stressed on {date} that {topic} remains a common goal of {c1} and {c2}."),
            (8, 1) => format!("{p1}{} {date} {topic}{} {c1}{} {c2}의 공동 목표라고 강조했다.", p(&p1, "은", "는"), p(&topic, "이", "가"), p(&c1, "과", "와")),
            (8, _) => format!("{p1}{date}强调，{topic}仍是{c1}和{c2}的共同目标。"),
            (_, 0) => format!("The {org} called on {c1} to comply with its obligations on {topic}, a spokesperson said on {date}."),
            (_, 1) => format!("{org}{} {c1}에 {topic}에 관한 의무를 준수할 것을 촉구했다고 대변인이 {date} 밝혔다.", p(&org, "은", "는")),
            (_, _) => format!("{org}发言人{date}表示，该组织敦促{c1}履行在{topic}方面的义务。"),
        };
        let body = if head.is_empty() || lang != 0 {
            body
        } else {
            let mut c = body.chars();
            let f = c
                .next()
                .map(|f| f.to_lowercase().to_string())
                .unwrap_or_default();
            // Keep capitals of names and titles: lower only "The", "In", "According".
            if body.starts_with("The ") || body.starts_with("In ") || body.starts_with("According")
            {
                f + c.as_str()
            } else {
                body
            }
        };
        format!("{head}{body}{tail}")
    }
}

/// Generate a formulaic memory of `units` rows into `out` (TSV with en, ko, zh) and 300
/// queries into `queries` (one a line; `queries.kind` holds `kind lang` per line): per
/// language 60 edits of stored rows, 20 exact copies of stored segments and 20 unrelated
/// sentences of the same grammar that the memory does not hold.
pub fn generate(
    corpora: &Path,
    units: usize,
    out: &Path,
    queries: &Path,
    kinds: &Path,
) -> std::io::Result<()> {
    let g = Grammar::new(corpora);
    let mut rng = Rng::new(20_261_207);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    writeln!(w, "en\tko\tzh")?;
    let (rows, seen) = memory_rows(&g, &mut rng, units);
    for (s, n) in &rows {
        writeln!(
            w,
            "{}\t{}\t{}",
            g.render(s, *n, 0),
            g.render(s, *n, 1),
            g.render(s, *n, 2)
        )?;
    }
    w.flush()?;
    let mut qs: Vec<(String, &str, &str)> = Vec::new();
    for (lang, tag) in ["en", "ko", "zh"].iter().enumerate() {
        for _ in 0..60 {
            let (s, n) = rows[rng.below(rows.len())];
            qs.push((edit(&mut rng, &g.render(&s, n, lang), lang), "edit", tag));
        }
        for _ in 0..20 {
            let (s, n) = rows[rng.below(rows.len())];
            qs.push((g.render(&s, n, lang), "exact", tag));
        }
        let mut k = 0;
        while k < 20 {
            let row = g.random(&mut rng);
            if seen.contains(&row) {
                continue;
            }
            qs.push((g.render(&row.0, row.1, lang), "unrelated", tag));
            k += 1;
        }
    }
    let mut order: Vec<usize> = (0..qs.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut qw = BufWriter::new(std::fs::File::create(queries)?);
    let mut kw = BufWriter::new(std::fs::File::create(kinds)?);
    for i in order {
        writeln!(qw, "{}", qs[i].0.replace(['\t', '\n', '\r'], " "))?;
        writeln!(kw, "{} {}", qs[i].1, qs[i].2)?;
    }
    kw.flush()?;
    qw.flush()
}

type Rows = (Vec<(Spec, u32)>, std::collections::HashSet<(Spec, u32)>);

/// The rows of a formulaic memory of `units` units (and the set of them), drawn from
/// `rng` (the memory and the analysis document draw them alike).
fn memory_rows(g: &Grammar, rng: &mut Rng, units: usize) -> Rows {
    let mut rows: Vec<(Spec, u32)> = Vec::with_capacity(units);
    let mut seen: std::collections::HashSet<(Spec, u32)> =
        std::collections::HashSet::with_capacity(units);
    for _ in 0..units {
        let r = rng.below(100);
        let row = if r < 2 && !rows.is_empty() {
            rows[rng.below(rows.len())]
        } else if r < 17 && !rows.is_empty() {
            let (s, n) = rows[rng.below(rows.len())];
            g.revise(rng, s, n)
        } else {
            g.random(rng)
        };
        seen.insert(row);
        rows.push(row);
    }
    (rows, seen)
}

/// An English document of `segments` lines to analyze against the formulaic memory of
/// `units` units (the one [`generate`] writes): like the matching bench's queries, edits
/// of stored rows (35%), exact copies (20%), runs of three consecutive stored rows in
/// their file order (10%, context matches), repetitions of the document's earlier lines
/// (15%) and unrelated sentences of the same grammar (20%).
pub fn job_document(
    corpora: &Path,
    units: usize,
    segments: usize,
    out: &Path,
) -> std::io::Result<()> {
    let g = Grammar::new(corpora);
    let mut rng = Rng::new(20_261_207);
    let (rows, seen) = memory_rows(&g, &mut rng, units);
    let mut rng = Rng::new(10_000);
    let mut lines: Vec<String> = Vec::with_capacity(segments);
    while lines.len() < segments {
        let r = rng.below(100);
        if r < 35 {
            let (s, n) = rows[rng.below(rows.len())];
            lines.push(edit(&mut rng, &g.render(&s, n, 0), 0));
        } else if r < 55 {
            let (s, n) = rows[rng.below(rows.len())];
            lines.push(g.render(&s, n, 0));
        } else if r < 65 {
            let i = rng.below(rows.len().saturating_sub(3).max(1));
            for (s, n) in rows.iter().skip(i).take(3) {
                lines.push(g.render(s, *n, 0));
            }
        } else if r < 80 && !lines.is_empty() {
            let i = rng.below(lines.len());
            lines.push(lines[i].clone());
        } else {
            let row = g.random(&mut rng);
            if !seen.contains(&row) {
                lines.push(g.render(&row.0, row.1, 0));
            }
        }
    }
    lines.truncate(segments);
    let mut w = BufWriter::new(std::fs::File::create(out)?);
    for l in &lines {
        writeln!(w, "{}", l.replace(['\t', '\n', '\r'], " "))?;
    }
    w.flush()
}
