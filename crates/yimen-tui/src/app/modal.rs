//! Keys while a modal is open (help, confirmations, pickers, prompts) and what a pick or a
//! prompt then does.

use super::*;
use yimen_app::Act;

impl App {
    pub(super) fn on_modal_key(&mut self, modal: Modal, k: KeyEvent) {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(k.code, KeyCode::Char('c')) {
            self.quit = true;
            return;
        }
        match modal {
            Modal::Help(scroll) => match k.code {
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {}
                KeyCode::Down | KeyCode::PageDown | KeyCode::Char(' ') => {
                    let step = if k.code == KeyCode::Down { 1 } else { 10 };
                    let max = keymap::BINDINGS.len() as u16 + 4;
                    self.modal = Some(Modal::Help((scroll + step).min(max)));
                }
                KeyCode::Up | KeyCode::PageUp => {
                    let step = if k.code == KeyCode::Up { 1 } else { 10 };
                    self.modal = Some(Modal::Help(scroll.saturating_sub(step)));
                }
                _ => self.modal = Some(Modal::Help(scroll)),
            },
            Modal::ConfirmDiscard => match k.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.form = IntakeForm::default();
                    self.screen = Screen::Queue;
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {}
                _ => self.modal = Some(Modal::ConfirmDiscard),
            },
            Modal::Picker { kind, mut filter, mut sel } => {
                let options = self.picker_options(kind, filter.value());
                match k.code {
                    KeyCode::Esc => {}
                    KeyCode::Up => {
                        sel = sel.saturating_sub(1);
                        self.modal = Some(Modal::Picker { kind, filter, sel });
                    }
                    KeyCode::Down => {
                        sel = (sel + 1).min(options.len().saturating_sub(1));
                        self.modal = Some(Modal::Picker { kind, filter, sel });
                    }
                    KeyCode::Enter => {
                        if let Some((key, _)) = options.get(sel) {
                            self.picked(kind, key.clone());
                        } else {
                            self.modal = Some(Modal::Picker { kind, filter, sel });
                        }
                    }
                    _ => {
                        edit_input(&mut filter, k);
                        self.modal = Some(Modal::Picker { kind, filter, sel: 0 });
                    }
                }
            }
            Modal::Prompt { kind, mut input } => match k.code {
                KeyCode::Esc => {}
                KeyCode::Enter => self.prompted(kind, input.value().trim().to_string()),
                _ => {
                    edit_input(&mut input, k);
                    self.modal = Some(Modal::Prompt { kind, input });
                }
            },
            Modal::SuspendReason => {
                let reason = match k.code {
                    KeyCode::Char('1') => Some(SuspendReason::Materials),
                    KeyCode::Char('2') => Some(SuspendReason::Notice),
                    KeyCode::Char('3') => Some(SuspendReason::Assessment),
                    KeyCode::Esc => return,
                    _ => {
                        self.modal = Some(Modal::SuspendReason);
                        return;
                    }
                };
                match (reason, self.detail_id()) {
                    (Some(SuspendReason::Materials), Some(_)) => {
                        self.modal = Some(Modal::Prompt { kind: PromptKind::Missing, input: Input::default() })
                    }
                    (Some(r), Some(id)) => {
                        self.send(Job::Act(id, Act::Suspend { reason: r, missing: Vec::new(), note: None }))
                    }
                    _ => {}
                }
            }
            Modal::Score(chosen) => match k.code {
                // A digit only chooses; the rating is recorded on Enter, so a stray key
                // records nothing.
                KeyCode::Char(c @ '1'..='5') => self.modal = Some(Modal::Score(Some(c as u8 - b'0'))),
                KeyCode::Left | KeyCode::Up => {
                    self.modal = Some(Modal::Score(Some(chosen.map_or(3, |s| s.saturating_sub(1).max(1)))))
                }
                KeyCode::Right | KeyCode::Down => {
                    self.modal = Some(Modal::Score(Some(chosen.map_or(3, |s| (s + 1).min(5)))))
                }
                KeyCode::Enter => match (chosen, self.detail_id()) {
                    (Some(score), Some(id)) => {
                        self.send(Job::Act(id, Act::Rate { score, comment: None, reasons: Vec::new() }))
                    }
                    _ => self.modal = Some(Modal::Score(chosen)),
                },
                KeyCode::Esc => {}
                _ => self.modal = Some(Modal::Score(chosen)),
            },
            Modal::Confirm { act, mut note } => match k.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    if let Some(id) = self.detail_id() {
                        let text = note.as_ref().map(|n| n.value().trim().to_string()).filter(|n| !n.is_empty());
                        let act = match act {
                            Act::Complete { .. } => Act::Complete { note: text },
                            Act::Terminate { .. } => Act::Terminate { note: text },
                            other => other,
                        };
                        self.send(Job::Act(id, act));
                    }
                }
                _ => {
                    if let Some(n) = note.as_mut() {
                        edit_input(n, k);
                    }
                    self.modal = Some(Modal::Confirm { act, note });
                }
            },
            Modal::Take { item, mut priority, mut id_number, error } => match k.code {
                KeyCode::Esc => {}
                KeyCode::Left | KeyCode::Up => {
                    priority = (priority + TAKE_PRIORITIES.len() - 1) % TAKE_PRIORITIES.len();
                    self.modal = Some(Modal::Take { item, priority, id_number, error });
                }
                KeyCode::Right | KeyCode::Down | KeyCode::Tab => {
                    priority = (priority + 1) % TAKE_PRIORITIES.len();
                    self.modal = Some(Modal::Take { item, priority, id_number, error });
                }
                KeyCode::Enter => {
                    let id = id_number.value().trim().to_string();
                    // The number is checked here, so a typo keeps the popup and what was typed.
                    if !id.is_empty()
                        && let Err(e) = yimen_domain::id_number::IdNumber::parse(&id, self.cfg.clock.date_of(self.now))
                    {
                        use yimen_domain::lang::Localized;
                        let error = Some(e.localized(self.cfg.lang));
                        self.modal = Some(Modal::Take { item, priority, id_number, error });
                        return;
                    }
                    let citizen =
                        yimen_app::CitizenInput { id_number: Some(id).filter(|i| !i.is_empty()), ..Default::default() };
                    let req = yimen_app::TakeRequest {
                        item,
                        priority: TAKE_PRIORITIES[priority],
                        citizen,
                        ..Default::default()
                    };
                    self.send(Job::Take(req));
                }
                KeyCode::Char(c) if !(c.is_ascii_digit() || c.eq_ignore_ascii_case(&'x')) => {
                    self.modal = Some(Modal::Take { item, priority, id_number, error });
                }
                _ => {
                    if id_number.value().chars().count() < 18 || !matches!(k.code, KeyCode::Char(_)) {
                        edit_input(&mut id_number, k);
                    }
                    self.modal = Some(Modal::Take { item, priority, id_number, error: None });
                }
            },
            Modal::Correct { mut field, mut value, mut reason, mut focus, error } => match k.code {
                KeyCode::Esc => {}
                KeyCode::Tab => {
                    focus = (focus + 1) % 3;
                    self.modal = Some(Modal::Correct { field, value, reason, focus, error });
                }
                KeyCode::BackTab => {
                    focus = (focus + 2) % 3;
                    self.modal = Some(Modal::Correct { field, value, reason, focus, error });
                }
                KeyCode::Up | KeyCode::Down if focus == 0 => {
                    let n = yimen_domain::ticket::CorrectField::ALL.len();
                    field = if k.code == KeyCode::Up { (field + n - 1) % n } else { (field + 1) % n };
                    self.modal = Some(self.correct_modal(field));
                }
                KeyCode::Enter if focus < 2 => {
                    focus += 1;
                    self.modal = Some(Modal::Correct { field, value, reason, focus, error });
                }
                KeyCode::Enter => {
                    let why = reason.value().trim().to_string();
                    if why.is_empty() {
                        let error = Some(self.t(T::ReasonNeeded).to_string());
                        self.modal = Some(Modal::Correct { field, value, reason, focus, error });
                        return;
                    }
                    if let (Some(id), Some(f)) = (self.detail_id(), yimen_domain::ticket::CorrectField::ALL.get(field))
                    {
                        self.retry_modal = Some(Modal::Correct {
                            field,
                            value: value.clone(),
                            reason: reason.clone(),
                            focus,
                            error: None,
                        });
                        let act = Act::Correct { field: *f, to: value.value().trim().to_string(), reason: why };
                        self.send(Job::Act(id, act));
                    }
                }
                _ => {
                    match focus {
                        1 => edit_input(&mut value, k),
                        2 => edit_input(&mut reason, k),
                        _ => {}
                    }
                    self.modal = Some(Modal::Correct { field, value, reason, focus, error: None });
                }
            },
            Modal::Materials { key, later } => match k.code {
                KeyCode::Char('1') => {
                    let mut all = key.clone();
                    all.extend(later.iter().cloned());
                    self.give_notice(all);
                }
                KeyCode::Char('2') if key.is_empty() => self.register(later),
                KeyCode::Esc => {}
                _ => self.modal = Some(Modal::Materials { key, later }),
            },
        }
    }

    pub(super) fn picked(&mut self, kind: PickKind, key: String) {
        match kind {
            PickKind::TakeItem => {
                self.modal = Some(Modal::Take { item: key, priority: 0, id_number: Input::default(), error: None });
            }
            PickKind::IntakeItem => {
                if let Some(item) = self.cfg.catalog.item(&key).cloned() {
                    self.form.set_item(&item);
                    self.form.focus = FieldId::Name.index();
                }
            }
            PickKind::Clerk => {
                if let Some(id) = self.allowed(Action::Reassign) {
                    self.send(Job::Act(id, Act::Reassign { to: key }));
                }
            }
            PickKind::Village => {
                self.form.village = Input::new(key);
                self.form.dirty = true;
                self.form.errors.retain(|(f, _)| *f != FieldId::Village);
                self.form.focus = FieldId::Proxy.index();
            }
        }
    }

    pub(super) fn prompted(&mut self, kind: PromptKind, text: String) {
        let id = self.detail_id();
        match (kind, id) {
            (PromptKind::Search, _) if !text.is_empty() => {
                self.search = Some((text.clone(), Vec::new()));
                self.send_quiet(Job::Search(text));
            }
            (PromptKind::Reject, Some(id)) => self.send(Job::Act(id, Act::Reject { reason: text })),
            (PromptKind::Withdraw, Some(id)) => self.send(Job::Act(id, Act::Withdraw { reason: text })),
            (PromptKind::Transfer, Some(id)) => self.send(Job::Act(id, Act::Transfer { to: text, days: None })),
            (PromptKind::Supply, Some(id)) => self.send(Job::Act(id, Act::Supply { material: text })),
            (PromptKind::Reopen, Some(id)) => self.send(Job::Act(id, Act::Reopen { reason: text })),
            (PromptKind::FollowUp, Some(id)) => {
                if let Some(step) = self.next_follow_up() {
                    self.send(Job::Act(id, Act::FollowUp { step, note: text }));
                }
            }
            (PromptKind::Missing, Some(id)) => {
                let missing: Vec<String> = text
                    .split(['、', ',', '，', ';', '；'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                self.send(Job::Act(id, Act::Suspend { reason: SuspendReason::Materials, missing, note: None }));
            }
            _ => {}
        }
    }
}
