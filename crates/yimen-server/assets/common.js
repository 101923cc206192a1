// Shared by the board, the kiosk and the pad: building elements without HTML strings (no
// text from the server is ever parsed as markup), calling the API, the hall's clock, pairing
// and the idle timer.
'use strict';

const Y = {};

// An element: el('div', {class: 'x', onclick: f}, 'text', child, …).
Y.el = function (tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
};

Y.show = function (parent, ...children) {
  parent.replaceChildren(...children.flat().filter((c) => c));
};

// Calls the API; resolves to {ok, status, data}. A network failure is status 0.
Y.api = async function (method, path, body) {
  try {
    const r = await fetch(path, {
      method,
      credentials: 'same-origin',
      // The pages are Chinese: their refusals too, whatever the browser's own language.
      headers: body === undefined
        ? { 'accept-language': 'zh-CN' }
        : { 'content-type': 'application/json', 'accept-language': 'zh-CN' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await r.json(); } catch (_) { data = null; }
    return { ok: r.ok, status: r.status, data };
  } catch (_) {
    return { ok: false, status: 0, data: { error: '连不上服务器，请稍候再试' } };
  }
};

// The hall's clock: the server's time (with the hall's UTC offset) carried forward locally.
Y.clock = { skew: 0, offsetMin: 480 };
Y.setNow = function (iso) {
  const t = Date.parse(iso);
  if (!Number.isNaN(t)) Y.clock.skew = t - Date.now();
  const m = /([+-])(\d\d):(\d\d)$/.exec(iso || '');
  if (m) Y.clock.offsetMin = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  if (Y.drawClock) Y.drawClock();
};
Y.hallTime = function () {
  const d = new Date(Date.now() + Y.clock.skew + Y.clock.offsetMin * 60000);
  const p = (n) => String(n).padStart(2, '0');
  return {
    date: `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`,
    time: `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`,
    weekday: '星期' + '日一二三四五六'[d.getUTCDay()],
  };
};
Y.tickClock = function () {
  const c = document.getElementById('clock');
  const draw = () => {
    const t = Y.hallTime();
    c.textContent = `${t.date} ${t.weekday} ${t.time}`;
  };
  Y.drawClock = draw;
  draw();
  setInterval(draw, 1000);
};

Y.link = function (up) {
  const l = document.getElementById('link');
  if (l) l.hidden = up;
};

// Calls `fn` after `ms` without a touch, a click or a key; `.reset()` starts again, `.stop()`.
Y.idle = function (ms, fn) {
  let t = null;
  const timer = {
    reset() { clearTimeout(t); t = setTimeout(fn, ms); },
    stop() { clearTimeout(t); t = null; },
  };
  for (const ev of ['pointerdown', 'keydown', 'input']) {
    document.addEventListener(ev, () => { if (t !== null) timer.reset(); }, { passive: true });
  }
  return timer;
};

// The pairing screen: the one-time code an admin made with `yimen device pair`.
Y.pairScreen = function (main, kind, onPaired, error) {
  const what = kind === 'pad' ? '评价器' : '取号机';
  const input = Y.el('input', {
    id: 'pair-code', class: 'code', autocomplete: 'off', autocapitalize: 'characters',
    spellcheck: 'false', maxlength: 13, placeholder: 'ABCDE-FGHJK', 'aria-label': '配对码',
  });
  const msg = Y.el('p', { id: 'pair-error', class: 'error', role: 'alert' }, error || '');
  const submit = async () => {
    const r = await Y.api('POST', '/api/device/pair', { code: input.value, kind });
    if (r.ok && r.data && r.data.kind === kind) { onPaired(r.data); return; }
    if (r.ok) { msg.textContent = `此配对码是给${r.data.kind === 'pad' ? '评价器' : '取号机'}的，请在对应的页面输入`; return; }
    msg.textContent = (r.data && r.data.error) || '配对失败';
  };
  const form = Y.el('form', { class: 'pair', onsubmit: (e) => { e.preventDefault(); submit(); } },
    Y.el('h1', {}, `此${what}尚未配对`),
    Y.el('p', {}, `请输入管理员用 yimen device pair --kind ${kind} 生成的配对码`),
    input,
    Y.el('button', { id: 'pair-submit', class: 'big primary', type: 'submit' }, '配对'),
    msg);
  Y.show(main, form);
  input.focus();
};
