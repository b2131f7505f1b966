// The ops page: campaigns with their budget burning, live through the
// service's own subscriptions. Everything it shows comes from the GraphQL
// API with the admin key pasted once (kept in sessionStorage, so it leaves
// with the tab). No inline script: the page's CSP allows scripts from this
// server only.
'use strict';

const KEY = 'campaign-service-admin-key';
const SHOWN = 50;
const CAMPAIGNS = `query Dashboard($first: Int!) { campaigns(first: $first) { nodes {
  id name status totalBudget usedBudget remainingBudget endDate
  stats { burnRatePerHour projectedExhaustionAt byDay(days: 14) { date totalDiscount } } } } }`;
const EVENTS = `query Events($id: ID!) { campaign(id: $id) { events(first: 15) { nodes {
  kind at actor threshold changes { field before after } } } } }`;
const BUDGET = `subscription Budget($id: ID!) { campaignBudget(id: $id) {
  usedBudget remainingBudget status campaign { id } } }`;
const AUDIT = 'subscription Audit { campaignEvents { kind threshold } }';

const $ = (selector) => document.querySelector(selector);
const state = { campaigns: new Map(), selected: null, socket: null, refresh: null };

function key() { return sessionStorage.getItem(KEY); }

async function graphql(query, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key()}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) {
    throw new Error(body.errors.map((error) => error.message).join(' '));
  }
  return body.data;
}

function showError(message) {
  const error = $('#error');
  error.textContent = message;
  error.hidden = !message;
}

function cents(value) { return Math.round(Number(value) * 100); }
function money(value) { return (cents(value) / 100).toFixed(2); }
function when(value) { return value ? new Date(value).toLocaleString() : '—'; }

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function row(campaign) {
  const tr = document.createElement('tr');
  tr.dataset.id = campaign.id;
  const share = cents(campaign.totalBudget) ? cents(campaign.usedBudget) / cents(campaign.totalBudget) : 0;
  const bar = document.createElement('div');
  bar.className = share >= 0.8 ? 'bar hot' : 'bar';
  const fill = document.createElement('span');
  fill.style.width = `${Math.min(100, Math.round(share * 100))}%`;
  bar.append(fill);
  const budget = document.createElement('td');
  budget.append(bar);
  tr.append(cell(campaign.name), cell(campaign.status, 'status'), budget,
    cell(money(campaign.usedBudget), 'number used'), cell(money(campaign.remainingBudget), 'number remaining'),
    cell(money(campaign.stats.burnRatePerHour), 'number burn'), cell(when(campaign.stats.projectedExhaustionAt)));
  if (state.selected === campaign.id) tr.classList.add('selected');
  tr.addEventListener('click', () => select(campaign.id));
  return tr;
}

function render() {
  const body = $('#campaigns tbody');
  body.replaceChildren(...[...state.campaigns.values()].map(row));
  if (state.selected && state.campaigns.has(state.selected)) drawBurndown(state.campaigns.get(state.selected));
}

// Hand-drawn SVG: a line and an area need no charting library.
function drawBurndown(campaign) {
  const svg = $('#burndown');
  const days = campaign.stats.byDay;
  // Remaining at the end of each day, counted back from now.
  let remaining = cents(campaign.remainingBudget);
  const points = [];
  for (let i = days.length - 1; i >= 0; i -= 1) {
    points.unshift({ date: days[i].date, remaining });
    remaining += cents(days[i].totalDiscount);
  }
  const total = Math.max(cents(campaign.totalBudget), 1);
  const [left, top, width, height] = [50, 10, 570, 180];
  const x = (i) => left + (points.length > 1 ? (i * width) / (points.length - 1) : 0);
  const y = (value) => top + height - (Math.min(value, total) * height) / total;
  const line = points.map((point, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(point.remaining).toFixed(1)}`);
  const ns = 'http://www.w3.org/2000/svg';
  const element = (name, attributes, text) => {
    const node = document.createElementNS(ns, name);
    for (const [attribute, value] of Object.entries(attributes)) node.setAttribute(attribute, value);
    if (text) node.textContent = text;
    return node;
  };
  svg.replaceChildren(
    element('path', { class: 'area', d: `${line.join(' ')} L${x(points.length - 1)},${top + height} L${left},${top + height} Z` }),
    element('path', { class: 'line', d: line.join(' ') }),
    element('line', { class: 'axis', x1: left, y1: top + height, x2: left + width, y2: top + height }),
    element('line', { class: 'axis', x1: left, y1: top, x2: left, y2: top + height }),
    element('text', { x: 4, y: top + 10 }, money(total / 100)),
    element('text', { x: 4, y: top + height }, '0.00'),
    element('text', { x: left, y: 215 }, points[0].date),
    element('text', { x: left + width - 60, y: 215 }, points[points.length - 1].date),
  );
}

async function select(id) {
  state.selected = id;
  const campaign = state.campaigns.get(id);
  $('#detail').hidden = false;
  $('#detail-name').textContent = campaign.name;
  render();
  await loadEvents();
}

async function loadEvents() {
  if (!state.selected) return;
  const data = await graphql(EVENTS, { id: state.selected });
  const list = $('#events');
  list.replaceChildren(...(data.campaign ? data.campaign.events.nodes : []).map((event) => {
    const item = document.createElement('li');
    const changes = event.changes.map((change) => `${change.field}: ${change.before ?? '—'} → ${change.after ?? '—'}`);
    const what = event.kind === 'BUDGET_THRESHOLD' ? `budget ${event.threshold}% used` : event.kind.toLowerCase();
    item.textContent = `${when(event.at)} · ${what}${event.actor ? ` by ${event.actor}` : ''}` +
      (changes.length ? ` (${changes.join(', ')})` : '');
    return item;
  }));
}

async function load() {
  const data = await graphql(CAMPAIGNS, { first: SHOWN });
  state.campaigns = new Map(data.campaigns.nodes.map((campaign) => [campaign.id, campaign]));
  render();
}

// Burn rate and projection move with every apply: read again, at most once a second.
function refreshSoon() {
  if (state.refresh) return;
  state.refresh = setTimeout(async () => {
    state.refresh = null;
    try { await load(); await loadEvents(); } catch (error) { showError(error.message); }
  }, 1000);
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/graphql`, 'graphql-transport-ws');
  state.socket = socket;
  const status = $('#connection');
  socket.addEventListener('open', () => {
    socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${key()}` } }));
  });
  socket.addEventListener('message', (message) => {
    const data = JSON.parse(message.data);
    if (data.type === 'connection_ack') {
      status.textContent = 'live';
      status.classList.add('live');
      socket.send(JSON.stringify({ id: 'audit', type: 'subscribe', payload: { query: AUDIT } }));
      for (const id of state.campaigns.keys()) {
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: BUDGET, variables: { id } } }));
      }
    } else if (data.type === 'next' && data.id !== 'audit') {
      const event = data.payload.data.campaignBudget;
      const campaign = state.campaigns.get(event.campaign.id);
      if (campaign) {
        Object.assign(campaign, { usedBudget: event.usedBudget, remainingBudget: event.remainingBudget,
          status: event.status });
        render();
      }
      refreshSoon();
    } else if (data.type === 'next') {
      refreshSoon();
    } else if (data.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong' }));
    }
  });
  socket.addEventListener('close', (closed) => {
    status.textContent = `not connected (${closed.code})`;
    status.classList.remove('live');
    if (closed.code === 4401 || closed.code === 4403) {
      showError('The key may not watch campaigns: paste an admin key.');
    } else if (key()) {
      setTimeout(connect, 3000);
    }
  });
}

async function start() {
  $('#key-form').hidden = true;
  $('#board').hidden = false;
  $('#forget').hidden = false;
  try {
    await load();
    showError('');
    connect();
  } catch (error) {
    showError(error.message);
  }
}

$('#key-form').addEventListener('submit', (submitted) => {
  submitted.preventDefault();
  sessionStorage.setItem(KEY, $('#key').value.trim());
  $('#key').value = '';
  start();
});
$('#forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  if (state.socket) state.socket.close();
  location.reload();
});

if (key()) {
  start();
} else {
  $('#key-form').hidden = false;
}
