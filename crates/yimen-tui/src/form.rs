//! The intake form's state: its fields, the multi-line note, the materials checklist and the
//! errors shown beside each field. Nothing here talks to the database.

use tui_input::{Input, InputRequest};

use yimen_app::{AcceptRequest, CitizenInput, ProxyInput, TakeRequest};
use yimen_domain::catalog::ServiceItem;
use yimen_domain::text::is_forbidden;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldId {
    Item,
    Name,
    IdNumber,
    Phone,
    Village,
    Proxy,
    ProxyPhone,
    ProxyId,
    Note,
    Materials,
}

impl FieldId {
    pub const ORDER: [FieldId; 10] = [
        FieldId::Item,
        FieldId::Name,
        FieldId::IdNumber,
        FieldId::Phone,
        FieldId::Village,
        FieldId::Proxy,
        FieldId::ProxyPhone,
        FieldId::ProxyId,
        FieldId::Note,
        FieldId::Materials,
    ];

    /// Where the field is in `ORDER` (the form's focus index).
    pub fn index(self) -> usize {
        FieldId::ORDER.iter().position(|f| *f == self).unwrap_or(0)
    }

    pub fn is_text(self) -> bool {
        !matches!(self, FieldId::Item | FieldId::Materials)
    }
}

/// A small multi-line editor: lines of text and a caret (line, character index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Note {
    pub lines: Vec<String>,
    pub row: usize,
    pub col: usize,
}

impl Note {
    fn line(&mut self) -> &mut String {
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        let row = self.row.min(self.lines.len() - 1);
        &mut self.lines[row]
    }

    fn byte_at(s: &str, col: usize) -> usize {
        s.char_indices().nth(col).map(|(i, _)| i).unwrap_or(s.len())
    }

    pub fn insert(&mut self, c: char) {
        if c == '\n' {
            let col = self.col;
            let line = self.line();
            let at = Note::byte_at(line, col);
            let rest = line.split_off(at);
            self.row = self.row.min(self.lines.len() - 1) + 1;
            self.lines.insert(self.row, rest);
            self.col = 0;
            return;
        }
        let col = self.col;
        let line = self.line();
        let at = Note::byte_at(line, col);
        line.insert(at, c);
        self.col += 1;
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            let col = self.col;
            let line = self.line();
            let at = Note::byte_at(line, col - 1);
            line.remove(at);
            self.col -= 1;
        } else if self.row > 0 && self.row < self.lines.len() {
            let cur = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.lines[self.row].chars().count();
            self.lines[self.row].push_str(&cur);
        }
    }

    pub fn left(&mut self) {
        self.col = self.col.saturating_sub(1);
    }

    pub fn right(&mut self) {
        let n = self.lines.get(self.row).map(|l| l.chars().count()).unwrap_or(0);
        self.col = (self.col + 1).min(n);
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.is_empty())
    }
}

#[derive(Debug, Clone, Default)]
pub struct IntakeForm {
    /// The called ticket being registered; `None` registers a walk-in at this window.
    pub ticket: Option<u64>,
    /// The ticket's queue number, for the title.
    pub number: Option<String>,
    pub item: Option<String>,
    pub name: Input,
    pub id_number: Input,
    pub phone: Input,
    pub village: Input,
    pub proxy: Input,
    pub proxy_phone: Input,
    pub proxy_id: Input,
    pub note: Note,
    pub checked: Vec<bool>,
    pub material_sel: usize,
    pub focus: usize,
    pub errors: Vec<(FieldId, String)>,
    pub dirty: bool,
}

/// Characters that may enter a field from typing or pasting: hidden and control characters
/// are dropped (a newline only in the note).
pub fn sanitize(s: &str, allow_newline: bool) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n").chars().filter(|c| !is_forbidden(*c, allow_newline)).collect()
}

impl IntakeForm {
    pub fn focus(&self) -> FieldId {
        FieldId::ORDER[self.focus.min(FieldId::ORDER.len() - 1)]
    }

    pub fn input_mut(&mut self, f: FieldId) -> Option<&mut Input> {
        match f {
            FieldId::Name => Some(&mut self.name),
            FieldId::IdNumber => Some(&mut self.id_number),
            FieldId::Phone => Some(&mut self.phone),
            FieldId::Village => Some(&mut self.village),
            FieldId::Proxy => Some(&mut self.proxy),
            FieldId::ProxyPhone => Some(&mut self.proxy_phone),
            FieldId::ProxyId => Some(&mut self.proxy_id),
            _ => None,
        }
    }

    pub fn input(&self, f: FieldId) -> Option<&Input> {
        match f {
            FieldId::Name => Some(&self.name),
            FieldId::IdNumber => Some(&self.id_number),
            FieldId::Phone => Some(&self.phone),
            FieldId::Village => Some(&self.village),
            FieldId::Proxy => Some(&self.proxy),
            FieldId::ProxyPhone => Some(&self.proxy_phone),
            FieldId::ProxyId => Some(&self.proxy_id),
            _ => None,
        }
    }

    /// Types text into the focused field (typing or a paste), cleaned of hidden characters.
    pub fn type_text(&mut self, s: &str) {
        let f = self.focus();
        let clean = sanitize(s, f == FieldId::Note);
        if clean.is_empty() {
            return;
        }
        if f == FieldId::Note {
            for c in clean.chars() {
                self.note.insert(c);
            }
        } else if let Some(input) = self.input_mut(f) {
            // A masked number is replaced by what is typed, not appended to: a masked value
            // left in the field keeps the stored number, and typed digits mixed into it would
            // be dropped without a word.
            if input.value().contains('*') {
                *input = Input::default();
            }
            // An ID number has 18 characters and a phone at most 13 (`0744-62212345`): the
            // field takes no more, so a doubled paste shows at once instead of as a riddle.
            let cap = match f {
                FieldId::IdNumber | FieldId::ProxyId => Some(18),
                FieldId::Phone | FieldId::ProxyPhone => Some(13),
                _ => None,
            };
            for c in clean.chars().filter(|c| *c != '\n') {
                if cap.is_some_and(|cap| input.value().chars().count() >= cap) {
                    break;
                }
                input.handle(InputRequest::InsertChar(c));
            }
        } else {
            return;
        }
        self.dirty = true;
        self.errors.retain(|(e, _)| *e != f);
    }

    pub fn edit(&mut self, req: InputRequest) {
        let f = self.focus();
        if f == FieldId::Note {
            match req {
                InputRequest::DeletePrevChar => self.note.backspace(),
                InputRequest::GoToPrevChar => self.note.left(),
                InputRequest::GoToNextChar => self.note.right(),
                _ => {}
            }
            self.dirty = true;
        } else if let Some(input) = self.input_mut(f)
            && {
                // Deleting in a masked number clears it (the stored one then stays unless a new
                // one is typed).
                if input.value().contains('*')
                    && matches!(req, InputRequest::DeletePrevChar | InputRequest::DeleteNextChar)
                {
                    *input = Input::default();
                    true
                } else {
                    input.handle(req).is_some_and(|c| c.value)
                }
            }
        {
            self.dirty = true;
            self.errors.retain(|(e, _)| *e != f);
        }
    }

    pub fn set_item(&mut self, item: &ServiceItem) {
        if self.item.as_deref() != Some(item.code.as_str()) {
            self.item = Some(item.code.clone());
            self.checked = vec![false; item.materials.len()];
            self.material_sel = 0;
            self.dirty = true;
        }
        self.errors.retain(|(e, _)| *e != FieldId::Item);
    }

    pub fn error(&self, f: FieldId) -> Option<&str> {
        self.errors.iter().find(|(e, _)| *e == f).map(|(_, m)| m.as_str())
    }

    fn opt(i: &Input) -> Option<String> {
        Some(i.value().trim().to_string()).filter(|s| !s.is_empty())
    }

    pub fn citizen(&self) -> CitizenInput {
        CitizenInput {
            name: Self::opt(&self.name),
            id_number: Self::opt(&self.id_number).filter(|v| !v.contains('*')),
            phone: Self::opt(&self.phone).filter(|v| !v.contains('*')),
            village: Self::opt(&self.village),
        }
    }

    pub fn proxy_input(&self) -> ProxyInput {
        // A masked phone left as the server sent it keeps the stored one.
        ProxyInput {
            name: Self::opt(&self.proxy),
            phone: Self::opt(&self.proxy_phone).filter(|v| !v.contains('*')),
            id_number: Self::opt(&self.proxy_id).filter(|v| !v.contains('*')),
        }
    }

    pub fn take_request(&self) -> TakeRequest {
        TakeRequest {
            item: self.item.clone().unwrap_or_default(),
            priority: None,
            citizen: self.citizen(),
            proxy: self.proxy_input(),
            note: Some(self.note.text()).filter(|s| !s.trim().is_empty()),
            at_kiosk: false,
        }
    }

    pub fn accept_request(&self, deferred: Vec<String>) -> AcceptRequest {
        AcceptRequest { item: self.item.clone(), citizen: self.citizen(), proxy: self.proxy_input(), deferred }
    }

    /// Missing materials of `item`: (key ones, deferrable ones).
    pub fn missing(&self, item: &ServiceItem) -> (Vec<String>, Vec<String>) {
        let mut key = Vec::new();
        let mut later = Vec::new();
        for (i, m) in item.materials.iter().enumerate() {
            if self.checked.get(i).copied().unwrap_or(false) {
                continue;
            }
            if m.key {
                key.push(m.name.clone());
            } else if m.may_defer {
                later.push(m.name.clone());
            }
        }
        (key, later)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_editing_handles_wide_and_astral_characters() {
        let mut n = Note::default();
        for c in "张𠈌a\nb".chars() {
            n.insert(c);
        }
        assert_eq!(n.text(), "张𠈌a\nb");
        n.backspace();
        n.backspace();
        assert_eq!(n.text(), "张𠈌a");
        n.left();
        n.backspace();
        assert_eq!(n.text(), "张a");
    }

    #[test]
    fn pasted_text_loses_hidden_characters() {
        assert_eq!(sanitize("张\u{202E}三\u{7}\r\n", false), "张三");
        assert_eq!(sanitize("a\r\nb", true), "a\nb");
    }
}
