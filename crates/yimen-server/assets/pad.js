// The rating pad (评价器) facing the citizen at one window: when the window completes a visit,
// it asks for a rating on the five levels of the 好差评 standard; a 1–2 asks for the reasons
// (GB/T 39734-2020's categories) and an optional comment. The clerk never touches it. After
// three minutes untouched the prompt closes and no rating is recorded.
'use strict';

(function () {
  const main = document.getElementById('screen');
  const PROMPT_MS = 180000;
  const THANKS_MS = 6000;
  const LEVELS = [
    [5, '非常满意', 'l5'], [4, '满意', 'l4'], [3, '基本满意', 'l3'], [2, '不满意', 'l2'], [1, '非常不满意', 'l1'],
  ];
  const REASONS = [
    ['attitude', '服务态度'], ['efficiency', '办事效率'], ['process', '办事流程、材料要求'],
    ['policy', '政策解释'], ['environment', '服务环境、设施'], ['other', '其他'],
  ];
  let me = null;
  let prompt = null;
  let rated = new Set();
  const idle = Y.idle(PROMPT_MS, () => { if (prompt) { rated.add(prompt.ticket); prompt = null; rest(); } });

  async function load() {
    const r = await Y.api('GET', '/api/device');
    if (r.status === 401 || (r.ok && r.data.device.kind !== 'pad')) {
      Y.pairScreen(main, 'pad', () => load(), r.ok ? '此设备不是评价器' : '');
      return;
    }
    if (!r.ok) { Y.link(false); setTimeout(load, 2000); return; }
    me = r.data;
    Y.setNow(me.now);
    document.getElementById('hall').textContent = me.device.window_label ? `${me.hall} · ${me.device.window_label}` : me.hall;
    rest();
    connect();
  }

  // Between visits: the window's welcome.
  function rest() {
    idle.stop();
    prompt = null;
    Y.show(main, Y.el('div', { id: 'rest', class: 'rest' },
      Y.el('h1', {}, '欢迎您'),
      Y.el('p', {}, `${me.device.window_label || ''}竭诚为您服务`),
      Y.el('p', { class: 'hint' }, '办理完成后，请您在此对本次服务进行评价')));
  }

  function ask(p) {
    prompt = p;
    idle.reset();
    Y.show(main, Y.el('div', { id: 'prompt', class: 'prompt', 'data-ticket': p.ticket },
      Y.el('h1', {}, '请您对本次服务进行评价'),
      Y.el('p', { class: 'visit' }, `${p.number} · ${p.item_name}`),
      Y.el('div', { class: 'levels' }, LEVELS.map(([score, label, cls]) => Y.el('button', {
        class: `level big ${cls}`, 'data-score': score, onclick: () => (score <= 2 ? why(score) : send(score, [], null)),
      }, label))),
      Y.el('p', { class: 'hint' }, '评价内容保密，窗口工作人员看不到您的评价')));
  }

  function why(score) {
    idle.reset();
    const chosen = new Set();
    const comment = Y.el('textarea', { id: 'comment', class: 'comment', maxlength: 200, rows: 3, placeholder: '其他意见或建议（可不填）' });
    const msg = Y.el('p', { class: 'error', role: 'alert' });
    Y.show(main, Y.el('div', { id: 'reasons', class: 'prompt' },
      Y.el('h1', {}, '很抱歉没能让您满意，请选择原因'),
      Y.el('div', { class: 'reasons' }, REASONS.map(([code, label]) => {
        const b = Y.el('button', { class: 'reason big', 'data-reason': code, 'aria-pressed': 'false' }, label);
        b.addEventListener('click', () => {
          if (chosen.has(code)) chosen.delete(code); else chosen.add(code);
          b.setAttribute('aria-pressed', String(chosen.has(code)));
          b.classList.toggle('on', chosen.has(code));
        });
        return b;
      })),
      comment,
      Y.el('div', { class: 'actions' },
        Y.el('button', { id: 'send', class: 'big primary', onclick: () => {
          if (chosen.size === 0) { msg.textContent = '请至少选择一个原因'; return; }
          send(score, [...chosen], comment.value.trim() || null);
        } }, '提交评价'),
        Y.el('button', { class: 'big', onclick: () => ask(prompt) }, '返回')),
      msg));
  }

  let sending = false;
  async function send(score, reasons, comment) {
    if (!prompt || sending) return;
    sending = true;
    const p = prompt;
    const r = await Y.api('POST', '/api/pad/rate', { ticket: p.ticket, score, reasons, comment });
    sending = false;
    if (r.status === 400 || r.status === 422) {
      // What was given is refused (a reason missing, a comment too long): said, kept, fixable.
      const msg = document.querySelector('.prompt .error') || main.appendChild(Y.el('p', { class: 'error', role: 'alert' }));
      msg.textContent = (r.data && r.data.error) || '评价未能保存，请重试';
      return;
    }
    if (r.ok || r.status === 409) {
      rated.add(p.ticket);
      prompt = null;
      idle.stop();
      Y.show(main, Y.el('div', { id: 'thanks', class: 'rest' },
        Y.el('h1', {}, r.ok ? '感谢您的评价！' : '本次服务已评价'),
        Y.el('p', {}, '祝您生活愉快')));
      setTimeout(() => { if (!prompt) rest(); }, THANKS_MS);
      return;
    }
    if (r.status === 401) { load(); return; }
    Y.link(false);
  }

  let source = null;
  function connect() {
    if (source) source.close();
    source = new EventSource('/api/pad/events');
    source.addEventListener('open', () => Y.link(true));
    source.addEventListener('prompt', (e) => {
      Y.link(true);
      let p = null;
      try { p = JSON.parse(e.data); } catch (_) { p = null; }
      if (p && !rated.has(p.ticket) && (!prompt || prompt.ticket !== p.ticket)) ask(p);
      // Rated elsewhere, or its minutes are over: the prompt closes.
      if (!p && prompt) { prompt = null; rest(); }
    });
    source.addEventListener('revoked', () => { source.close(); load(); });
    source.addEventListener('error', () => {
      Y.link(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(load, 1000);
    });
  }

  window.yimenPad = { promptMs: PROMPT_MS };
  Y.tickClock();
  load();
})();
