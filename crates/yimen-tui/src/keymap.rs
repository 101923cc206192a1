//! The one table of keys: dispatch, the footer and the help screen are all generated from it,
//! so what the help says is what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use yimen_domain::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Queue,
    Intake,
    Detail,
    Open,
    Report,
}

impl Screen {
    pub const ALL: [Screen; 5] = [Screen::Queue, Screen::Intake, Screen::Detail, Screen::Open, Screen::Report];

    pub fn title(self) -> super::i18n::T {
        use super::i18n::T;
        match self {
            Screen::Queue => T::TabQueue,
            Screen::Intake => T::TabIntake,
            Screen::Detail => T::TabDetail,
            Screen::Open => T::TabOpen,
            Screen::Report => T::TabReport,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UiAction {
    Quit,
    Help,
    NextScreen,
    Go(Screen),
    Up,
    Down,
    CallNext,
    Recall,
    NoShow,
    Requeue,
    TakeNumber,
    OpenSelected,
    Search,
    Register,
    NextField,
    PrevField,
    Toggle,
    Pick,
    Submit,
    Back,
    Accept,
    Suspend,
    Resume,
    Transfer,
    Complete,
    /// Show the case's whole ID numbers and phones (a clerk sees them masked; audited).
    Reveal,
    /// 更正 a mistyped detail of the case.
    Correct,
    Reject,
    Withdraw,
    Terminate,
    Rate,
    Supply,
    FollowUp,
    Reassign,
    Reopen,
    Print,
    FilterCategory,
    FilterStatus,
    FilterClerk,
    /// Only the cases past their deadline.
    FilterOverdue,
    /// Only the cases this clerk handles.
    FilterMine,
    /// Open the ticket being served at this window.
    OpenMine,
    PageUp,
    PageDown,
    Home,
    End,
    PrevDay,
    NextDay,
    SaveReport,
    Lock,
}

/// A key as written in the table and shown in the footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
}

impl Key {
    pub fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Key::Char(c) => !ctrl && ev.code == KeyCode::Char(c),
            Key::Ctrl(c) => ctrl && matches!(ev.code, KeyCode::Char(x) if x.eq_ignore_ascii_case(&c)),
            Key::Code(code) => !ctrl && ev.code == code,
        }
    }

    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Code(KeyCode::Enter) => "Enter".into(),
            Key::Code(KeyCode::Esc) => "Esc".into(),
            Key::Code(KeyCode::Tab) => "Tab".into(),
            Key::Code(KeyCode::BackTab) => "Shift-Tab".into(),
            Key::Code(KeyCode::Up) => "Up".into(),
            Key::Code(KeyCode::Down) => "Down".into(),
            Key::Code(KeyCode::Left) => "Left".into(),
            Key::Code(KeyCode::Right) => "Right".into(),
            Key::Code(KeyCode::F(n)) => format!("F{n}"),
            Key::Code(KeyCode::PageUp) => "PgUp".into(),
            Key::Code(KeyCode::PageDown) => "PgDn".into(),
            Key::Code(KeyCode::Home) => "Home".into(),
            Key::Code(KeyCode::End) => "End".into(),
            Key::Code(c) => format!("{c:?}"),
        }
    }
}

pub struct Binding {
    /// `None`: works on every screen.
    pub screen: Option<Screen>,
    pub key: Key,
    pub action: UiAction,
    pub zh: &'static str,
    pub en: &'static str,
    /// Shown in the footer (the rest only in the help).
    pub footer: bool,
}

impl Binding {
    pub fn describe(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

const fn b(
    screen: Option<Screen>,
    key: Key,
    action: UiAction,
    zh: &'static str,
    en: &'static str,
    footer: bool,
) -> Binding {
    Binding { screen, key, action, zh, en, footer }
}

use Key::{Char, Code, Ctrl};
use Screen::*;
use UiAction as A;

pub const BINDINGS: &[Binding] = &[
    // Queue
    b(Some(Queue), Char('c'), A::CallNext, "叫下一位", "call next", true),
    b(Some(Queue), Char('r'), A::Recall, "重呼", "recall", true),
    b(Some(Queue), Char('x'), A::NoShow, "过号", "no-show", true),
    b(Some(Queue), Char('u'), A::Requeue, "过号重排", "requeue", false),
    b(Some(Queue), Char('t'), A::TakeNumber, "取号", "take number", true),
    b(Some(Queue), Char('i'), A::Register, "登记受理", "register", true),
    b(Some(Queue), Code(KeyCode::Enter), A::OpenSelected, "详情", "details", true),
    b(Some(Queue), Char('/'), A::Search, "搜索", "search", true),
    b(Some(Queue), Char('o'), A::OpenMine, "本窗口办件", "case at my window", true),
    b(Some(Queue), Code(KeyCode::Up), A::Up, "上移", "up", false),
    b(Some(Queue), Code(KeyCode::Down), A::Down, "下移", "down", false),
    b(Some(Queue), Code(KeyCode::PageUp), A::PageUp, "上一页", "page up", false),
    b(Some(Queue), Code(KeyCode::PageDown), A::PageDown, "下一页", "page down", false),
    b(Some(Queue), Code(KeyCode::Home), A::Home, "第一行", "first row", false),
    b(Some(Queue), Code(KeyCode::End), A::End, "最后一行", "last row", false),
    // Intake (a focused text field sees printable keys first)
    b(Some(Intake), Ctrl('s'), A::Submit, "保存受理", "save & accept", true),
    b(Some(Intake), Code(KeyCode::F(10)), A::Submit, "保存受理", "save & accept", false),
    b(Some(Intake), Code(KeyCode::Tab), A::NextField, "下一项", "next field", true),
    b(Some(Intake), Code(KeyCode::BackTab), A::PrevField, "上一项", "previous field", false),
    b(
        Some(Intake),
        Code(KeyCode::Down),
        A::Down,
        "下一项（材料清单里：下一条材料）",
        "next field (in the materials: next one)",
        false,
    ),
    b(
        Some(Intake),
        Code(KeyCode::Up),
        A::Up,
        "上一项（材料清单里：上一条材料）",
        "previous field (in the materials: previous one)",
        false,
    ),
    b(Some(Intake), Code(KeyCode::Enter), A::Pick, "选择/下一项", "pick / next", true),
    b(Some(Intake), Char(' '), A::Toggle, "勾选材料", "tick material", false),
    b(Some(Intake), Code(KeyCode::Esc), A::Back, "返回", "back", true),
    // Case detail
    b(Some(Detail), Char('a'), A::Accept, "受理", "accept", true),
    b(Some(Detail), Char('s'), A::Suspend, "挂起", "suspend", true),
    b(Some(Detail), Char('m'), A::Resume, "恢复", "resume", true),
    b(Some(Detail), Char('z'), A::Transfer, "转办", "transfer", true),
    b(Some(Detail), Char('d'), A::Complete, "办结", "complete", true),
    b(Some(Detail), Char('j'), A::Reject, "不予受理", "reject", true),
    b(Some(Detail), Char('w'), A::Withdraw, "撤回", "withdraw", true),
    b(Some(Detail), Char('e'), A::Terminate, "终止", "terminate", true),
    b(Some(Detail), Char('p'), A::Rate, "评价", "rate", true),
    b(Some(Detail), Char('b'), A::Supply, "补齐材料", "material brought", true),
    // Supervisors (the footer shows them only to a supervisor, when the case allows them)
    b(Some(Detail), Char('h'), A::FollowUp, "差评回访", "follow up rating", true),
    b(Some(Detail), Char('g'), A::Reassign, "改派", "reassign", true),
    b(Some(Detail), Char('y'), A::Reopen, "重新办理", "reopen", true),
    b(Some(Detail), Char('o'), A::Print, "打印凭条", "print slip", true),
    b(Some(Detail), Char('v'), A::Reveal, "查看完整证件号", "show whole ID", true),
    b(Some(Detail), Char('f'), A::Correct, "更正", "correct", true),
    b(Some(Detail), Code(KeyCode::Esc), A::Back, "返回", "back", false),
    // Open cases
    b(Some(Open), Code(KeyCode::Enter), A::OpenSelected, "详情", "details", true),
    b(Some(Open), Char('f'), A::FilterCategory, "按类别", "category", true),
    b(Some(Open), Char('s'), A::FilterStatus, "按状态", "status", true),
    b(Some(Open), Char('k'), A::FilterClerk, "按经办人", "clerk", true),
    b(Some(Open), Char('x'), A::FilterOverdue, "只看超期", "overdue only", true),
    b(Some(Open), Char('m'), A::FilterMine, "只看我的", "mine only", true),
    b(Some(Open), Char('/'), A::Search, "搜索", "search", true),
    b(Some(Open), Code(KeyCode::Esc), A::Back, "清除搜索和筛选", "clear search and filters", true),
    b(Some(Open), Code(KeyCode::Up), A::Up, "上移", "up", false),
    b(Some(Open), Code(KeyCode::Down), A::Down, "下移", "down", false),
    b(Some(Open), Code(KeyCode::PageUp), A::PageUp, "上一页", "page up", false),
    b(Some(Open), Code(KeyCode::PageDown), A::PageDown, "下一页", "page down", false),
    b(Some(Open), Code(KeyCode::Home), A::Home, "第一行", "first row", false),
    b(Some(Open), Code(KeyCode::End), A::End, "最后一行", "last row", false),
    // Report
    b(Some(Report), Code(KeyCode::Left), A::PrevDay, "前一天", "previous day", true),
    b(Some(Report), Code(KeyCode::Right), A::NextDay, "后一天", "next day", true),
    b(Some(Report), Char('p'), A::SaveReport, "打印日报", "print report", true),
    // Everywhere
    b(None, Code(KeyCode::F(1)), A::Go(Queue), "排队叫号", "queue", false),
    b(None, Code(KeyCode::F(2)), A::Go(Intake), "受理登记", "intake", false),
    b(None, Code(KeyCode::F(3)), A::Go(Detail), "办件详情", "case", false),
    b(None, Code(KeyCode::F(4)), A::Go(Open), "在办件", "open cases", false),
    b(None, Code(KeyCode::F(5)), A::Go(Report), "日报", "daily report", false),
    b(None, Char('1'), A::Go(Queue), "排队叫号", "queue", false),
    b(None, Char('2'), A::Go(Intake), "受理登记", "intake", false),
    b(None, Char('3'), A::Go(Detail), "办件详情", "case", false),
    b(None, Char('4'), A::Go(Open), "在办件", "open cases", false),
    b(None, Char('5'), A::Go(Report), "日报", "daily report", false),
    b(None, Code(KeyCode::Tab), A::NextScreen, "下一屏", "next screen", false),
    b(None, Char('?'), A::Help, "帮助", "help", true),
    b(None, Ctrl('l'), A::Lock, "锁屏", "lock", true),
    b(None, Char('q'), A::Quit, "退出", "quit", true),
    b(None, Ctrl('c'), A::Quit, "退出", "quit", false),
];

/// The action bound to `ev` on `screen`: the screen's own bindings first, then the global ones.
pub fn lookup(screen: Screen, ev: &KeyEvent) -> Option<UiAction> {
    BINDINGS
        .iter()
        .filter(|b| b.screen == Some(screen))
        .chain(BINDINGS.iter().filter(|b| b.screen.is_none()))
        .find(|b| b.key.matches(ev))
        .map(|b| b.action)
}

/// The footer of a screen: "c 叫下一位  r 重呼 ..." — only the keys that work right now.
pub fn footer(screen: Screen, lang: Lang, available: impl Fn(&Binding) -> bool) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.footer && (b.screen == Some(screen) || b.screen.is_none()) && available(b))
        .map(|b| (b.key.label(), b.describe(lang)))
        .collect()
}
