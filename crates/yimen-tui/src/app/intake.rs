//! The intake form's work: ticking materials, opening the form for a called ticket or a walk-in,
//! checking and registering it, or giving the one-time notice.

use super::*;
use yimen_app::Act;

impl App {
    pub(super) fn toggle_material(&mut self) {
        if self.form.focus() != FieldId::Materials {
            return;
        }
        let i = self.form.material_sel;
        if let Some(c) = self.form.checked.get_mut(i) {
            *c = !*c;
            self.form.dirty = true;
        }
        let n = self.form.checked.len().max(1);
        self.form.material_sel = (i + 1) % n;
    }

    /// Opens the intake form for the ticket called to this window, or a walk-in. A form
    /// already being typed is kept as it is.
    pub(super) fn open_intake(&mut self) {
        if self.form.dirty {
            return;
        }
        match self.current().cloned() {
            Some(t) => self.load_form(&t),
            None => self.form = IntakeForm::default(),
        }
    }

    pub(super) fn load_form(&mut self, t: &Ticket) {
        if self.form.ticket == Some(t.id) {
            return;
        }
        let mut f = IntakeForm { ticket: Some(t.id), number: Some(t.number.to_string()), ..Default::default() };
        if let Some(item) = self.cfg.catalog.item(&t.item) {
            f.set_item(item);
        }
        // Numbers on record show masked, as on the case screen (a masked value left as it is
        // keeps the stored one when saved); shown whole only right after `v`.
        let mut t = t.clone();
        if !self.is_revealed_case(t.id) {
            t.mask_personal_data();
        }
        let c = &t.citizen;
        f.name = Input::new(c.name.clone().unwrap_or_default());
        f.id_number = Input::new(c.id_number.as_ref().map(|i| i.to_string()).unwrap_or_default());
        f.phone = Input::new(c.phone.as_ref().map(|p| p.to_string()).unwrap_or_default());
        f.village = Input::new(c.village.clone().unwrap_or_default());
        if let Some(p) = &t.proxy {
            f.proxy = Input::new(p.name.clone());
            f.proxy_phone = Input::new(p.phone.as_ref().map(|x| x.to_string()).unwrap_or_default());
            f.proxy_id = Input::new(p.id_number.as_ref().map(|x| x.to_string()).unwrap_or_default());
        }
        f.focus = 1;
        f.dirty = false;
        self.form = f;
    }

    /// Checks the form, then registers: accept (or take+call+accept for a walk-in). Missing
    /// key materials open the notice / 容缺 choice first.
    pub(super) fn submit(&mut self) {
        let today = self.cfg.clock.date_of(self.now);
        self.form.errors.clear();
        let Some(item) = self.form_item().cloned() else {
            self.form.errors.push((FieldId::Item, self.t(T::PickItem).to_string()));
            self.form.focus = FieldId::Item.index();
            return;
        };
        use yimen_domain::lang::Localized;
        if let Err(e) = self.form.citizen().check(today) {
            let field = match &e {
                yimen_app::DeskError::Id(_) => FieldId::IdNumber,
                yimen_app::DeskError::Phone(_) => FieldId::Phone,
                yimen_app::DeskError::Text(t) if format!("{t:?}").contains("Village") => FieldId::Village,
                _ => FieldId::Name,
            };
            self.form.errors.push((field, e.localized(self.cfg.lang)));
            self.form.focus = field.index();
            return;
        }
        if let Err(e) = self.form.proxy_input().check(today) {
            // The message goes to the proxy's field at fault, and so does the focus.
            let field = match &e {
                yimen_app::DeskError::ProxyId(_) => FieldId::ProxyId,
                yimen_app::DeskError::Phone(_) => FieldId::ProxyPhone,
                _ => FieldId::Proxy,
            };
            self.form.errors.push((field, e.localized(self.cfg.lang)));
            self.form.focus = field.index();
            return;
        }
        if let Err(e) = yimen_app::input::optional_note(yimen_domain::text::Field::Note, Some(&self.form.note.text())) {
            self.form.errors.push((FieldId::Note, e.localized(self.cfg.lang)));
            self.form.focus = FieldId::Note.index();
            return;
        }
        if self.form.name.value().trim().is_empty() {
            self.form.errors.push((
                FieldId::Name,
                lang_msg(self.cfg.lang, "受理前需要填写申请人姓名", "the applicant's name is needed"),
            ));
            self.form.focus = FieldId::Name.index();
            return;
        }
        if item.requires_id && self.form.id_number.value().trim().is_empty() {
            self.form.errors.push((
                FieldId::IdNumber,
                lang_msg(self.cfg.lang, "此事项需要身份证号码", "this item needs the ID number"),
            ));
            self.form.focus = FieldId::IdNumber.index();
            return;
        }
        let (key, later) = self.form.missing(&item);
        if !key.is_empty() || !later.is_empty() {
            self.modal = Some(Modal::Materials { key, later });
            return;
        }
        self.register(Vec::new());
    }

    pub(super) fn register(&mut self, deferred: Vec<String>) {
        let accept = self.form.accept_request(deferred);
        let job = match self.form.ticket {
            Some(id) => Job::Act(id, Act::Accept(accept)),
            None => Job::WalkIn { take: self.form.take_request(), window: self.cfg.window.clone(), accept },
        };
        self.registering = true;
        self.send(job);
    }

    pub(super) fn give_notice(&mut self, missing: Vec<String>) {
        self.notice_slip = true;
        let job = match self.form.ticket {
            Some(id) => Job::Act(id, Act::Notice { missing }),
            None => Job::WalkInNotice { take: self.form.take_request(), window: self.cfg.window.clone(), missing },
        };
        self.registering = true;
        self.send(job);
    }
}
