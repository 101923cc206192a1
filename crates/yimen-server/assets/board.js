// The display board (叫号屏): the newest call in very large type, the last calls, the waiting
// per category with its estimate, the hall's clock. Live from the server's event stream; every
// new call and recall is spoken (zh-CN) after a chime, unless the hall is in its quiet hours.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  // What has been announced: number → "at|recalls".
  const heard = new Map();
  let first = true;
  let audio = null;
  const queue = [];
  let speaking = false;

  function audioContext() {
    if (audio) return audio;
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    try { audio = new Ctx(); } catch (_) { audio = null; }
    if (audio && audio.state === 'suspended') $('sound').hidden = false;
    return audio;
  }

  // Two soft tones (叮咚) before each call.
  function chime() {
    const ctx = audioContext();
    if (!ctx || ctx.state !== 'running') return;
    const t0 = ctx.currentTime;
    [[880, 0], [660, 0.28]].forEach(([f, at]) => {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.type = 'sine';
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, t0 + at);
      g.gain.exponentialRampToValueAtTime(0.4, t0 + at + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.5);
      o.connect(g).connect(ctx.destination);
      o.start(t0 + at);
      o.stop(t0 + at + 0.55);
    });
  }

  // Speaks `text` `times` times, one after the other, then calls `done` once: when the last
  // sentence ends, or after a generous time if the browser never says so.
  function say(text, times, lang, done) {
    const synth = window.speechSynthesis;
    let finished = false;
    const finish = () => { if (!finished) { finished = true; done(); } };
    if (!synth || times <= 0) { finish(); return; }
    setTimeout(finish, times * (2000 + 350 * text.length));
    let left = times;
    const one = () => {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      u.rate = 0.9;
      const zh = synth.getVoices().find((v) => v.lang.replace('_', '-').toLowerCase() === lang.toLowerCase());
      if (zh) u.voice = zh;
      u.onend = u.onerror = () => { left -= 1; if (left > 0) one(); else finish(); };
      synth.speak(u);
    };
    one();
  }

  function next() {
    if (speaking || queue.length === 0) return;
    speaking = true;
    const { text, times, lang } = queue.shift();
    chime();
    setTimeout(() => say(text, times, lang, () => { speaking = false; next(); }), 700);
  }

  function announce(b) {
    const fresh = [];
    b.calls.forEach((c, i) => {
      const key = `${c.at}|${c.recalls}`;
      if (heard.get(c.number) !== key) {
        heard.set(c.number, key);
        if (!first && c.calling) fresh.push({ at: c.at, text: b.say[i] });
      }
    });
    first = false;
    if (b.voice.quiet) return fresh.length > 0;
    fresh.sort((a, z) => (a.at < z.at ? -1 : 1));
    for (const f of fresh) queue.push({ text: f.text, times: Math.max(1, b.voice.repeat), lang: b.voice.lang });
    next();
    return fresh.length > 0;
  }

  function render(b) {
    Y.setNow(b.now);
    $('hall').textContent = b.hall;
    document.title = `${b.hall} · 叫号屏`;
    const head = b.calls.findIndex((c) => c.calling);
    const h = head >= 0 ? head : (b.calls.length ? 0 : -1);
    if (h >= 0) {
      const c = b.calls[h];
      $('now-number').textContent = c.number;
      $('now-window').textContent = `请到 ${b.window_labels[h]}`;
      $('now-name').textContent = c.name || '';
    } else {
      $('now-number').textContent = '—';
      $('now-window').textContent = '暂无叫号';
      $('now-name').textContent = '';
    }
    Y.show($('recent'), b.calls.filter((_, i) => i !== h).slice(0, 6).map((c) => Y.el('li', {},
      Y.el('span', { class: 'num' }, c.number),
      Y.el('span', { class: 'arrow' }, '→'),
      Y.el('span', { class: 'win' }, b.window_labels[b.calls.indexOf(c)]),
      c.name ? Y.el('span', { class: 'nm' }, c.name) : null)));
    Y.show($('waiting').tBodies[0], b.waiting.map((w) => Y.el('tr', {},
      Y.el('th', {}, `${w.letter} ${w.name}`),
      Y.el('td', { class: 'count' }, `${w.count} 人`),
      Y.el('td', { class: 'est' }, w.count ? `约 ${w.minutes} 分钟` : '随到随办'))));
    if (announce(b)) {
      const n = $('now-number');
      n.classList.remove('flash');
      void n.offsetWidth;
      n.classList.add('flash');
    }
  }

  let source = null;
  function connect() {
    source = new EventSource('/api/public/events');
    source.addEventListener('open', () => Y.link(true));
    source.addEventListener('board', (e) => {
      Y.link(true);
      try { render(JSON.parse(e.data)); } catch (_) { /* a damaged event waits for the next */ }
    });
    source.addEventListener('error', () => {
      Y.link(false);
      // A refused or wrong answer closes the stream for good: open a new one.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
    });
  }

  $('sound').addEventListener('click', () => {
    const ctx = audioContext();
    if (ctx) ctx.resume();
    $('sound').hidden = true;
  });
  document.addEventListener('pointerdown', () => { const ctx = audioContext(); if (ctx) ctx.resume(); }, { once: true });

  window.yimenBoard = { heard, queue };
  audioContext();
  Y.tickClock();
  connect();
})();
