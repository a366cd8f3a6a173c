// The BigShop storefront: plain JavaScript over the public HTTP/JSON API
// (docs/OPERATIONS.md, "HTTP/JSON"). No build step, no dependencies. Every
// value from the server reaches the page through textContent, never HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });
const money = (cents) => brl.format(Number(cents || 0) / 100);
const statusNames = {
  ORDER_STATUS_PENDING_PAYMENT: 'Aguardando pagamento',
  ORDER_STATUS_CONFIRMED: 'Confirmado',
  ORDER_STATUS_SHIPPED: 'Enviado',
  ORDER_STATUS_DELIVERED: 'Entregue',
  ORDER_STATUS_CANCELLED: 'Cancelado',
};

/** One call of the public API; throws an Error with code, reason and status. */
const api = {
  token: sessionStorage.getItem('bigshop.token') || '',
  async call(method, body = {}, headers = {}) {
    const auth = this.token ? { authorization: 'Bearer ' + this.token } : {};
    const response = await fetch('/' + method, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, ...headers },
      body: JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(json.message || response.statusText);
      Object.assign(error, { code: json.code, reason: json.reason, status: response.status });
      throw error;
    }
    return json;
  },
};

const state = {
  email: sessionStorage.getItem('bigshop.email') || '', order: null, watch: null, campaign: null, drop: null, dropWatch: null,
};

function say(text, isError = false) {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
}

/** Runs an action from a click, showing its error instead of throwing. */
function guarded(action) {
  return async (event) => {
    event?.preventDefault();
    try {
      await action();
    } catch (error) {
      say(error.status === 401 ? 'Entre na sua conta primeiro.' : error.message, true);
    }
  };
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// MARK: Catalog

async function loadCategories() {
  const { categories = [] } = await api.call('bigshop.catalog.v1.CatalogService/ListCategories');
  for (const category of categories) {
    const option = element('option', '\u00a0\u00a0'.repeat((category.depth || 1) - 1) + category.name);
    option.value = category.id;
    $('category').append(option);
  }
}

async function loadProducts() {
  const request = { pageSize: 60, query: $('query').value.trim(), categoryId: $('category').value };
  const { products = [] } = await api.call('bigshop.catalog.v1.CatalogService/ListProducts', request);
  const list = $('products');
  list.replaceChildren();
  for (const product of products) {
    const item = element('li');
    item.dataset.productId = product.id;
    const add = element('button', 'Adicionar');
    add.type = 'button';
    add.disabled = Number(product.stock || 0) === 0;
    add.addEventListener('click', guarded(() => addToCart(product)));
    item.append(
      element('strong', product.name),
      element('span', product.description || ''),
      element('span', money(product.priceCents), 'price'),
      element('small', Number(product.stock || 0) > 0 ? `${product.stock} em estoque` : 'Esgotado'),
      add,
    );
    list.append(item);
  }
  if (products.length === 0) list.append(element('li', 'Nenhum produto encontrado.'));
}

// MARK: Account

function showAccount() {
  const signedIn = Boolean(api.token);
  $('signin').hidden = signedIn;
  $('who').hidden = !signedIn;
  $('who-email').textContent = state.email;
}

async function signIn(email, password) {
  const session = await api.call('bigshop.auth.v1.AuthService/Login', { email, password });
  api.token = session.token;
  state.email = email;
  sessionStorage.setItem('bigshop.token', api.token);
  sessionStorage.setItem('bigshop.email', email);
  showAccount();
  say(`Olá, ${email}!`);
  await refreshCart();
}

async function register() {
  const email = $('email').value.trim();
  const password = $('password').value;
  await api.call('bigshop.auth.v1.AuthService/Register', { email, password, name: email.split('@')[0] });
  await signIn(email, password);
}

async function signOut() {
  await api.call('bigshop.auth.v1.AuthService/Logout').catch(() => {});
  api.token = '';
  sessionStorage.removeItem('bigshop.token');
  showAccount();
  renderCart({});
}

// MARK: Cart and checkout

function renderCart(cart) {
  const list = $('cart');
  list.replaceChildren();
  for (const item of cart.items || []) {
    list.append(element('li', `${item.quantity} × ${item.name} — ${money(Number(item.unitPriceCents) * Number(item.quantity))}`));
  }
  $('cart-total').textContent = money(cart.totalCents);
  $('checkout').disabled = (cart.items || []).length === 0;
}

async function refreshCart() {
  if (!api.token) return renderCart({});
  renderCart(await api.call('bigshop.orders.v1.OrdersService/GetCart'));
}

async function addToCart(product) {
  const cart = await api.call('bigshop.orders.v1.OrdersService/GetCart');
  const line = (cart.items || []).find((item) => item.productId === product.id);
  const quantity = Number(line?.quantity || 0) + 1;
  renderCart(await api.call('bigshop.orders.v1.OrdersService/SetCartItem', { productId: product.id, quantity }));
  say(`${product.name} no carrinho.`);
}

async function checkout() {
  // One key per attempt: a retried click cannot make a second order.
  const key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  const order = await api.call('bigshop.orders.v1.OrdersService/Checkout', {}, { 'idempotency-key': key });
  showOrder(order);
  await refreshCart();
}

// MARK: The order, payment and its live status

function showOrder(order) {
  state.order = order;
  $('order').hidden = false;
  $('pix').hidden = true;
  $('order-id').textContent = order.id;
  $('order-status').textContent = statusNames[order.status] || order.status;
  $('order-history').replaceChildren();
  watch(order.id);
}

/** Follows the order's status over Server-Sent Events until it ends. */
function watch(orderID) {
  state.watch?.close();
  const message = encodeURIComponent(JSON.stringify({ orderId: orderID }));
  const token = encodeURIComponent(api.token);
  const source = new EventSource(`/bigshop.history.v1.HistoryService/WatchOrder?message=${message}&access_token=${token}`);
  state.watch = source;
  source.addEventListener('message', (event) => {
    const change = JSON.parse(event.data);
    const name = statusNames[change.status] || change.status;
    $('order-status').textContent = name;
    $('order-history').append(element('li', `${new Date(Number(change.atMs)).toLocaleTimeString('pt-BR')} ${name}`));
  });
  // The call's end: the order is final, or the stream failed. Either way,
  // do not let EventSource reconnect.
  source.addEventListener('status', () => source.close());
}

async function payByCard() {
  const payment = await api.call('bigshop.payments.v1.PaymentsService/Pay', {
    orderId: state.order.id,
    card: {
      number: $('card-number').value,
      holder: $('card-holder').value,
      expMonth: Number($('card-month').value),
      expYear: Number($('card-year').value),
      cvv: $('card-cvv').value,
    },
  });
  $('card-cvv').value = '';
  say(payment.status === 'PAYMENT_STATUS_APPROVED' ? 'Pagamento aprovado!' : `Pagamento recusado: ${payment.declineReason || ''}`,
    payment.status !== 'PAYMENT_STATUS_APPROVED');
}

async function payByPix() {
  const payment = await api.call('bigshop.payments.v1.PaymentsService/Pay', { orderId: state.order.id, pix: {} });
  $('pix').hidden = false;
  $('pix-code').value = payment.pixCopyPaste;
  $('pix-qr').replaceChildren(QRCode.svg(payment.pixCopyPaste));
  say('Pague com o código Pix: o status muda aqui assim que o pagamento cair.');
}

async function cancelOrder() {
  await api.call('bigshop.orders.v1.OrdersService/CancelOrder', { id: state.order.id });
  await refreshCart();
}

// MARK: The flash sale

/** Finds the first current or upcoming campaign (again every 30 s) and follows its drop. */
async function loadCampaign() {
  if (state.stopped) return;
  const { campaigns = [] } = await api.call('bigshop.flashsale.v1.FlashSaleService/ListCampaigns');
  const summary = campaigns[0];
  $('drop').hidden = !summary;
  if (!summary) {
    state.dropWatch?.close();
    state.campaign = null;
    return;
  }
  $('drop-product').textContent = summary.productName;
  if (state.campaign?.id !== summary.campaign.id || !state.dropWatch) {
    state.campaign = summary.campaign;
    state.drop = { drop: summary.nextDrop, open: false, nextDropAtMs: summary.nextDrop?.startsAtMs };
    watchDrop(summary.campaign.id);
  }
  showDrop();
}

/**
 * Follows the drop over Server-Sent Events (WatchDrop): every change of its
 * remaining units, and a heartbeat every second, from the gateway's own feed.
 */
function watchDrop(campaignID) {
  state.dropWatch?.close();
  if (location.hash.startsWith('#selftest') || location.hash === '#static') {
    // Headless Chromium's virtual time (the self-test, screenshots) stands
    // still while a stream is open: poll GetCurrentDrop instead, a fetch a second.
    state.dropWatch = pollDrop(campaignID);
    return;
  }
  const message = encodeURIComponent(JSON.stringify({ campaignId: campaignID }));
  const source = new EventSource(`/bigshop.flashsale.v1.FlashSaleService/WatchDrop?message=${message}`);
  state.dropWatch = source;
  source.addEventListener('message', (event) => {
    state.drop = JSON.parse(event.data);
    showDrop();
  });
  // The stream ended (the server restarted, the campaign is gone): watch
  // again in a moment rather than letting EventSource hammer the server.
  source.addEventListener('status', () => {
    source.close();
    if (state.dropWatch === source) state.dropWatch = null;
    setTimeout(() => loadCampaign().catch(() => {}), 2000);
  });
}

/** Follows the drop by asking every second; closed like an EventSource. */
function pollDrop(campaignID) {
  const poll = async () => {
    const drop = await api.call('bigshop.flashsale.v1.FlashSaleService/GetCurrentDrop', { campaignId: campaignID });
    const now = Date.now();
    const open = Number(drop.startsAtMs) <= now && now < Number(drop.endsAtMs);
    state.drop = { drop, open, nextDropAtMs: open ? drop.endsAtMs : drop.startsAtMs };
    showDrop();
  };
  poll().catch(() => {});
  const timer = setInterval(() => poll().catch(() => {}), 1000);
  return { close: () => clearInterval(timer), refresh: poll };
}

/** Shows the last update of the drop; the countdown moves with the clock. */
function showDrop() {
  const update = state.drop;
  if (!update || !state.campaign) return;
  const drop = update.drop || {};
  $('drop-price').textContent = money(drop.priceCents || state.campaign.priceCents);
  const open = Boolean(update.open);
  if (open) {
    $('drop-state').textContent = 'Drop aberto';
    $('drop-remaining').textContent = `${drop.remaining ?? 0} unidades restantes`;
  } else {
    const next = Number(update.nextDropAtMs || 0);
    if (next === 0) {
      $('drop-state').textContent = 'A campanha terminou';
    } else {
      const seconds = Math.max(0, Math.ceil((next - Date.now()) / 1000));
      const clock = `${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
      $('drop-state').textContent = `O próximo drop abre em ${clock}`;
    }
    $('drop-remaining').textContent = `${state.campaign.unitsPerDrop} unidades`;
  }
  $('reserve').disabled = !open || Number(drop.remaining ?? 0) === 0;
}

async function reserve() {
  try {
    const reservation = await api.call('bigshop.flashsale.v1.FlashSaleService/Reserve', { campaignId: state.campaign.id });
    showOrder(await api.call('bigshop.orders.v1.OrdersService/GetOrder', { id: reservation.orderId }));
    say('Unidade reservada! Pague antes que a reserva expire.');
  } catch (error) {
    const reasons = {
      SOLD_OUT: 'Esgotado: todas as unidades deste drop já foram reservadas.',
      LIMIT_REACHED: 'Você já reservou a sua unidade deste drop.',
      NO_ACTIVE_DROP: 'O drop ainda não abriu.',
      QUEUE_FULL: 'Muita gente ao mesmo tempo: tente de novo em instantes.',
    };
    if (!reasons[error.reason]) throw error;
    say(reasons[error.reason], true);
  } finally {
    // The stream brings the new count by itself; polling asks now.
    await state.dropWatch?.refresh?.();
  }
}

// MARK: Start

function start() {
  $('search').addEventListener('submit', guarded(loadProducts));
  $('category').addEventListener('change', guarded(loadProducts));
  $('signin').addEventListener('submit', guarded(() => signIn($('email').value.trim(), $('password').value)));
  $('register').addEventListener('click', guarded(register));
  $('signout').addEventListener('click', guarded(signOut));
  $('checkout').addEventListener('click', guarded(checkout));
  $('pay-card').addEventListener('submit', guarded(payByCard));
  $('pay-pix').addEventListener('click', guarded(payByPix));
  $('cancel-order').addEventListener('click', guarded(cancelOrder));
  $('reserve').addEventListener('click', guarded(reserve));
  setInterval(showDrop, 1000);
  setInterval(() => loadCampaign().catch(() => {}), 30000);
  showAccount();
  Promise.all([loadCategories(), loadProducts(), refreshCart(), loadCampaign()])
    .catch((error) => say(error.message, true))
    .finally(() => {
      document.body.dataset.ready = 'true';
      if (location.hash.startsWith('#selftest')) {
        const script = document.createElement('script');
        script.src = '/storefront-selftest.js';
        document.body.append(script);
      }
    });
}

/** Closes the live streams, the order's and the drop's, for good (the self-test's last step). */
window.bigshopStopWatching = () => {
  state.stopped = true;
  state.watch?.close();
  state.dropWatch?.close();
};

start();
