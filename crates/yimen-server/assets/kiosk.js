// The self-service kiosk (取号机): category, then item (or a search by pinyin initials for
// staff-assisted use), an optional priority (checked by the clerk at the desk), then the number
// with who is ahead, the estimated wait and the materials to have ready, printed on the roll.
// Back to the start after 30 s untouched. It never shows or asks for anyone's personal data.
'use strict';

(function () {
  const main = document.getElementById('screen');
  const IDLE_MS = 30000;
  let menu = null;
  // Bumped by every screen drawn: a start screen whose menu arrives after the citizen moved on
  // is not drawn over their choice.
  let shown = 0;
  const idle = Y.idle(IDLE_MS, () => start());

  async function load() {
    const me = await Y.api('GET', '/api/device');
    if (me.status === 401 || (me.ok && me.data.device.kind !== 'kiosk')) {
      idle.stop();
      Y.pairScreen(main, 'kiosk', () => load(), me.ok ? '此设备不是取号机' : '');
      return;
    }
    if (!me.ok) { Y.link(false); setTimeout(load, 2000); return; }
    Y.link(true);
    document.getElementById('hall').textContent = me.data.hall;
    Y.setNow(me.data.now);
    await start();
  }

  async function refreshMenu() {
    const r = await Y.api('GET', '/api/kiosk/menu');
    if (r.status === 401) { load(); return false; }
    if (!r.ok) { Y.link(false); return false; }
    Y.link(true);
    menu = r.data;
    Y.setNow(menu.now);
    document.getElementById('hall').textContent = menu.hall;
    return true;
  }

  async function start() {
    idle.stop();
    const mine = ++shown;
    if (!(await refreshMenu()) && !menu) { setTimeout(start, 2000); return; }
    if (mine !== shown) return;
    const search = Y.el('input', {
      id: 'search', class: 'search', type: 'search', autocomplete: 'off',
      placeholder: '工作人员：输入事项拼音首字母或名称搜索（如 dbsq）', 'aria-label': '搜索事项',
    });
    const found = Y.el('div', { id: 'found', class: 'items' });
    search.addEventListener('input', () => {
      idle.reset();
      const q = search.value.trim().toLowerCase();
      if (!q) { Y.show(found); return; }
      const hits = [];
      for (const c of menu.categories) {
        for (const i of c.items) {
          if (i.initials.includes(q) || i.name.includes(search.value.trim()) || i.code.toLowerCase() === q) hits.push([c, i]);
        }
      }
      Y.show(found, hits.slice(0, 8).map(([c, i]) => itemButton(c, i)));
    });
    Y.show(main,
      Y.el('h1', { class: 'title' }, '请选择要办理的业务'),
      Y.el('div', { class: 'cats' }, menu.categories.map((c) => Y.el('button', {
        class: 'cat big', 'data-category': c.code, onclick: () => category(c),
      },
      Y.el('span', { class: 'letter' }, c.letter),
      Y.el('span', { class: 'name' }, c.name),
      Y.el('span', { class: 'examples' }, c.items.slice(0, 3).map((i) => i.name.replace(/（.*?）/g, '')).join('、') + (c.items.length > 3 ? ' 等' : '')),
      Y.el('span', { class: 'meta' }, c.waiting ? `等候 ${c.waiting} 人 · 约 ${c.minutes} 分钟` : '当前无人等候')))),
      search,
      found);
  }

  function itemButton(c, i) {
    return Y.el('button', { class: 'item big', 'data-item': i.code, onclick: () => priority(c, i) },
      Y.el('span', { class: 'name' }, i.name),
      Y.el('span', { class: 'meta' }, i.days ? `承诺 ${i.days} 个工作日办结` : '即办件'));
  }

  function category(c) {
    idle.reset();
    shown += 1;
    Y.show(main,
      Y.el('h1', { class: 'title' }, `${c.name} · 请选择事项`),
      Y.el('div', { class: 'items' }, c.items.map((i) => itemButton(c, i))),
      Y.el('button', { class: 'back', onclick: () => start() }, '← 返回'));
  }

  function priority(c, i) {
    idle.reset();
    shown += 1;
    Y.show(main,
      Y.el('h1', { class: 'title' }, '是否需要优先办理？'),
      Y.el('p', { class: 'hint' }, '优先办理须在窗口出示相关证件，由工作人员核验'),
      Y.el('div', { class: 'prios' },
        Y.el('button', { class: 'prio big primary', 'data-priority': 'none', onclick: () => take(c, i, null) }, '不需要，直接取号'),
        menu.priorities.map((p) => Y.el('button', {
          class: 'prio big', 'data-priority': p.code, onclick: () => take(c, i, p.code),
        }, p.name))),
      Y.el('button', { class: 'back', onclick: () => category(c) }, '← 返回'));
  }

  async function take(c, i, prio) {
    idle.reset();
    shown += 1;
    Y.show(main, Y.el('p', { class: 'title' }, '正在取号…'));
    const r = await Y.api('POST', '/api/kiosk/take', { item: i.code, priority: prio });
    if (!r.ok) {
      if (r.status === 401) { load(); return; }
      Y.show(main,
        Y.el('p', { class: 'error', role: 'alert' }, (r.data && r.data.error) || '取号失败，请稍候再试'),
        Y.el('button', { class: 'back big', onclick: () => start() }, '返回首页'));
      return;
    }
    ticket(r.data);
  }

  function ticket(t) {
    shown += 1;
    const taken = t.taken_at.slice(0, 16).replace('T', ' ');
    const prio = t.priority ? menu.priorities.find((p) => p.code === t.priority) : null;
    const slip = Y.el('section', { id: 'ticket', class: 'ticket' },
      Y.el('div', { class: 't-hall' }, t.hall),
      Y.el('div', { class: 't-label' }, '您的号码'),
      Y.el('div', { id: 'ticket-number', class: 't-number' }, t.number),
      Y.el('div', { id: 'ticket-item', class: 't-item' }, `${t.category_name} · ${t.item_name}`),
      prio ? Y.el('div', { class: 't-prio' }, `优先：${prio.name}（待窗口核验证件）`) : null,
      Y.el('div', { id: 'ticket-ahead', class: 't-ahead' },
        t.ahead ? `前面还有 ${t.ahead} 人，预计 ${t.minutes} 分钟` : '前面没有人等候，请留意叫号'),
      t.materials.length ? Y.el('div', { class: 't-materials' },
        Y.el('div', { class: 't-mh' }, '请提前备好以下材料：'),
        Y.el('ol', { id: 'ticket-materials' }, t.materials.map((m) => Y.el('li', {},
          m.name, m.key ? Y.el('span', { class: 'key' }, '（必备）') : null,
          m.may_defer ? Y.el('span', { class: 'defer' }, '（可容缺后补）') : null)))) : null,
      Y.el('div', { class: 't-foot' }, `取号时间 ${taken}　请留意叫号屏和语音叫号`),
      t.hall_phone ? Y.el('div', { class: 't-foot' }, `咨询电话 ${t.hall_phone}`) : null);
    const atKiosk = t.print === 'browser';
    // Printed by the server on the hall's receipt printer: said whether it came out.
    // The printer's own words stay in the server's log, not on the public screen.
    const failed = !atKiosk && t.printed && t.printed.Err !== undefined;
    const said = failed ? `号码单未能打印，请记下您的号码 ${t.number}` : '请取走号码单，留意叫号屏和语音叫号';
    Y.show(main, slip,
      Y.el('p', { id: 'ticket-printed', class: failed ? 'error big-text' : 'big-text', role: 'status' }, said),
      Y.el('div', { class: 'actions' },
        Y.el('button', { id: 'done', class: 'big primary', onclick: () => start() }, '完成'),
        atKiosk ? Y.el('button', { id: 'print', class: 'big', onclick: () => window.print() }, '再打印一张') : null));
    // The queue ticket comes out of the kiosk's roll printer (the browser's print; silent
    // with Chromium's --kiosk-printing, see docs/deployment.md).
    if (atKiosk) setTimeout(() => window.print(), 50);
    idle.reset();
  }

  window.yimenKiosk = { start, idleMs: IDLE_MS };
  Y.tickClock();
  load();
  // The queue lengths on the first screen stay fresh.
  setInterval(() => {
    const search = document.getElementById('search');
    if (document.querySelector('.cats') && search && !search.value) start();
  }, 20000);
})();
