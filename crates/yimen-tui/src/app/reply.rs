//! What the worker answers: snapshots, finished actions, details, sign-ins, the server's
//! connection — applied to the interface's state.

use super::*;

impl App {
    /// The status row after a paper was saved: printed (to which printer), not printed (the
    /// printer's one line, shown as an error, the file kept), or saved only (no printer set).
    fn paper_status(&mut self, saved: T, file: &str, printed: &Option<Result<String, String>>) {
        match printed {
            None => self.status = Some((format!("{} {file}", self.t(saved)), false)),
            Some(Ok(sent)) => {
                let sep = self.cfg.lang.pick("；", "; ");
                self.status = Some((format!("{sent}{sep}{} {file}", self.t(saved)), false));
            }
            Some(Err(e)) => {
                let sep = self.cfg.lang.pick("；", "; ");
                let line = format!("{e}{sep}{} {file}", self.t(saved));
                self.error(line)
            }
        }
    }

    pub(super) fn on_reply(&mut self, r: Reply) {
        match r {
            Reply::Snapshot(Err(e)) => {
                self.refreshing = false;
                self.error(e);
            }
            Reply::Snapshot(Ok(s)) => {
                self.refreshing = false;
                if std::mem::take(&mut self.stale) {
                    self.refresh();
                }
                if let Some((hall, catalog, calendar)) = s.changed {
                    self.cfg.hall = hall;
                    self.cfg.catalog = catalog;
                    self.cfg.calendar = calendar;
                }
                self.snapshot.today = s.today;
                if s.open.is_some() {
                    self.snapshot.open = s.open;
                }
                self.queue_sel = self.queue_sel.min(self.queue_rows().len().saturating_sub(1));
                self.open_sel = self.open_sel.min(self.open_rows().len().saturating_sub(1));
            }
            Reply::Done(res) => {
                self.pending = self.pending.saturating_sub(1);
                match res {
                    Ok(t) => {
                        let msg = match (t.status, &t.window) {
                            (Status::Called, Some(w)) if self.cfg.lang == Lang::Zh => {
                                format!("请 {} 号到 {} 号窗口", t.number, w)
                            }
                            (Status::Called, Some(w)) => format!("{} please go to window {}", t.number, w),
                            _ => {
                                let item = self.cfg.catalog.item_label(&t.item, &t.item_name, self.cfg.lang);
                                let sep = self.cfg.lang.pick("：", ": ");
                                format!("{} {item}{sep}{}", t.number, t.status.label(self.cfg.lang))
                            }
                        };
                        self.status = Some((msg, false));
                        self.retry_modal = None;
                        if std::mem::take(&mut self.registering) {
                            // The registration went through: the form's work is stored.
                            self.form = IntakeForm::default();
                            self.follow = Some(t.id);
                        }
                        if std::mem::take(&mut self.notice_slip) {
                            self.send_quiet(Job::Slip(t.id));
                        }
                        if self.follow == Some(t.id) || self.detail.as_ref().is_some_and(|(d, _)| d.id == t.id) {
                            self.send_quiet(Job::Show(t.id));
                        }
                        self.refreshing = false;
                        self.refresh();
                    }
                    Err(e) => {
                        // The form keeps everything typed; only the reason is shown. A popup
                        // the refused step came from opens again with what was typed and why.
                        self.registering = false;
                        self.notice_slip = false;
                        match self.retry_modal.take() {
                            Some(Modal::Correct { field, value, reason, focus, .. }) if self.modal.is_none() => {
                                self.status = None;
                                self.modal =
                                    Some(Modal::Correct { field, value, reason, focus: focus.max(1), error: Some(e) });
                            }
                            _ => self.error(e),
                        }
                    }
                }
            }
            Reply::Detail(Ok(d)) => {
                self.follow = None;
                self.detail = Some(d);
                self.screen = Screen::Detail;
            }
            Reply::Detail(Err(e)) | Reply::Revealed(Err(e)) => self.error(e),
            Reply::Revealed(Ok(d)) => {
                self.follow = None;
                // Real elapsed time, not the hall's clock: a fixed YIMEN_NOW must not keep
                // numbers on screen for good.
                self.revealed =
                    Some((d.0.id, std::time::Instant::now() + std::time::Duration::from_secs(REVEAL_SECONDS)));
                self.detail = Some(d);
                self.screen = Screen::Detail;
            }
            Reply::Search(Err(e)) => self.error(e),
            Reply::Search(Ok(found)) => {
                if let Some((_, v)) = &mut self.search {
                    *v = found;
                }
                self.open_sel = 0;
                self.screen = Screen::Open;
            }
            Reply::Slip(Ok(paper)) => {
                // The file's name fits the status row; the whole path is listed when the
                // interface closes.
                let name = std::path::Path::new(&paper.pdf)
                    .file_name()
                    .map(|n| format!("slips/{}", n.to_string_lossy()))
                    .unwrap_or_else(|| paper.pdf.clone());
                let name = if paper.count > 1 {
                    format!(
                        "{name}{}{}{}",
                        self.cfg.lang.pick(" 等 ", " and "),
                        paper.count - 1,
                        self.cfg.lang.pick(" 份", " more")
                    )
                } else {
                    name
                };
                self.paper_status(T::SlipSaved, &name, &paper.printed);
                self.slips.push(paper.path);
            }
            Reply::Slip(Err(e)) => self.error(e),
            Reply::SignedIn(Ok(name)) => {
                self.signed_in = true;
                self.cfg.clerk = name;
                let w = self.signin.window.value().trim().to_string();
                if !w.is_empty() {
                    self.cfg.window = w;
                }
                self.signin.pin = Input::default();
                self.status = None;
                self.refreshing = false;
                self.refresh();
                // What a clerk may see depends on who it is (ratings): read the open case again.
                if let Some(id) = self.detail_id() {
                    self.send_quiet(Job::Show(id));
                }
            }
            Reply::SignedIn(Err(e)) => {
                self.signin.pin = Input::default();
                if !e.is_empty() {
                    self.error(e);
                }
            }
            Reply::Daily(r) => match *r {
                Ok(r) => self.report = Some(r),
                Err(e) => self.error(e),
            },
            Reply::ReportSaved(Ok(paper)) => {
                self.paper_status(T::ReportSaved, &paper.pdf, &paper.printed);
                self.slips.push(paper.path);
            }
            Reply::ReportSaved(Err(e)) => self.error(e),
            Reply::SignInEnded => {
                // Like the lock key: what was typed stays; the clerk signs in again.
                self.signed_in = false;
                self.modal = None;
            }
            Reply::Connection(online) => {
                self.offline = !online;
                if online {
                    self.status = Some((self.t(T::ServerBack).to_string(), false));
                    self.refreshing = false;
                    self.refresh();
                } else {
                    self.error(String::new());
                }
            }
        }
    }
}
