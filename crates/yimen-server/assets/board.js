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

  // A call is said once, when first seen: also one already served by the time the board hears
  // of it (it was called, someone must go), but never one older than two minutes (a board back
  // from a lost link does not read out the calls it missed).
  function announce(b) {
    const fresh = [];
    const now = Date.parse(b.now);
    b.calls.forEach((c, i) => {
      const key = `${c.at}|${c.recalls}`;
      if (heard.get(c.number) !== key) {
        heard.set(c.number, key);
        if (!first && !(now - Date.parse(c.at) > 120000)) fresh.push({ at: c.at, text: b.say[i] });
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
    // Four recent calls leave the waiting table its room on a 16:9 screen.
    Y.show($('recent'), b.calls.filter((_, i) => i !== h).slice(0, 4).map((c) => Y.el('li', { class: c.calling ? 'calling' : 'done' },
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
    source.addEventListener('error', async () => {
      // A refused stream (too many open on the hall's network) closes for good: the board is
      // read directly meanwhile, and the stream opened again.
      if (source.readyState === EventSource.CLOSED) {
        const r = await Y.api('GET', '/api/public/board');
        if (r.ok) { Y.link(true); render(r.data); } else Y.link(false);
        setTimeout(connect, 3000);
      } else {
        Y.link(false);
      }
    });
  }

  $('sound').addEventListener('click', () => {
    const ctx = audioContext();
    if (ctx) ctx.resume();
    $('sound').hidden = true;
  });
  document.addEventListener('pointerdown', () => { const ctx = audioContext(); if (ctx) ctx.resume(); }, { once: true });

  // Without a Chinese voice the browser says nothing (a Linux box without speech-dispatcher's
  // Mandarin voice): said on the screen, so the hall knows why only the chime is heard.
  // Voices load late in some browsers: judged when they change, and for good after 3 s.
  function checkVoice(final) {
    const synth = window.speechSynthesis;
    const voices = synth ? synth.getVoices() : [];
    if (voices.some((v) => v.lang.replace('_', '-').toLowerCase().startsWith('zh'))) {
      $('novoice').hidden = true;
    } else if (final || voices.length > 0) {
      $('novoice').hidden = false;
    }
  }
  if (window.speechSynthesis) window.speechSynthesis.onvoiceschanged = () => checkVoice(false);
  setTimeout(() => checkVoice(true), 3000);

  window.yimenBoard = { heard, queue };
  audioContext();
  Y.tickClock();
  connect();
})();
