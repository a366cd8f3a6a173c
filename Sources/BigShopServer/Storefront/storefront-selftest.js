// A shopper's journey through the storefront's own buttons and forms, run
// by the browser test (Tests/BigShopServerTests/StorefrontBrowserTests)
// when the page is opened as /#selftest (or /#selftest-pix, which stops with
// the Pix QR Code on screen). It does only what a person could
// do on the page, and writes its outcome into #selftest and the title.
'use strict';

(async () => {
  const log = [];
  const out = document.getElementById('selftest');
  const step = (text) => { log.push(text); out.textContent = log.join('\n'); };
  // Waits by fetching a small file rather than with timers: headless
  // Chromium's virtual time (--virtual-time-budget) runs timers at once
  // when nothing is loading, but stands still while a request is pending,
  // so this gives the server real time to answer and push live statuses.
  const until = async (what, condition, attempts = 4000) => {
    for (let attempt = 0; !condition(); attempt += 1) {
      if (attempt >= attempts) throw new Error(`timed out waiting for ${what}`);
      await fetch('/storefront.css', { cache: 'no-store' });
    }
  };
  const type = (id, value) => { document.getElementById(id).value = value; };
  const click = (id) => document.getElementById(id).click();
  const submit = (id) => document.getElementById(id).requestSubmit();
  const status = () => document.getElementById('order-status').textContent;
  try {
    out.hidden = false;
    type('email', `selftest-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`);
    type('password', 'selftest-password');
    click('register');
    await until('sign-in', () => !document.getElementById('who').hidden);
    step('registered and signed in');

    type('query', 'iphone');
    submit('search');
    await until('search results', () => document.querySelector('#products li[data-product-id]') !== null &&
      [...document.querySelectorAll('#products li strong')].every((name) => /iphone/i.test(name.textContent)));
    step(`search "iphone": ${document.querySelectorAll('#products li[data-product-id]').length} product(s)`);

    document.querySelector('#products li[data-product-id] button').click();
    await until('the cart', () => document.querySelectorAll('#cart li').length === 1);
    step(`cart: ${document.getElementById('cart-total').textContent}`);

    click('checkout');
    await until('the order', () => status() === 'Aguardando pagamento');
    step(`order ${document.getElementById('order-id').textContent}: ${status()}`);

    type('card-number', '4111 1111 1111 1111');
    type('card-holder', 'Teste Navegador');
    type('card-month', '12');
    type('card-year', '2031');
    type('card-cvv', '123');
    submit('pay-card');
    await until('the live confirmation', () => status() === 'Confirmado');
    step(`paid by card, live status: ${status()}`);

    document.querySelector('#products li[data-product-id] button').click();
    await until('the cart', () => document.querySelectorAll('#cart li').length === 1);
    click('checkout');
    await until('the second order', () => status() === 'Aguardando pagamento');
    click('pay-pix');
    await until('the Pix code', () => document.getElementById('pix-code').value.startsWith('000201'));
    await until('the Pix QR Code', () => document.querySelector('#pix-qr svg path') !== null);
    step('Pix BR Code shown, as text and QR Code');
    if (location.hash === '#selftest-pix') {
      // Stop here, the QR Code on screen (the test scans a screenshot).
      window.bigshopStopWatching?.();
      step('SELFTEST PASS');
      document.title = 'SELFTEST PASS';
      return;
    }
    click('cancel-order');
    await until('the live cancellation', () => status() === 'Cancelado');
    step(`cancelled, live status: ${status()}`);

    // The flash sale, when a drop is open: one press takes a unit and makes
    // an order to pay.
    if (!document.getElementById('drop').hidden) {
      await until('the open drop', () => !document.getElementById('reserve').disabled);
      const before = parseInt(document.getElementById('drop-remaining').textContent, 10);
      click('reserve');
      await until('the reserved unit', () => document.getElementById('message').textContent.startsWith('Unidade reservada'));
      await until('the flash order', () => status() === 'Aguardando pagamento');
      await until('the drop count', () => parseInt(document.getElementById('drop-remaining').textContent, 10) < before);
      step(`flash sale: reserved one of ${before}, order ${document.getElementById('order-id').textContent}`);
      click('reserve');
      await until('the limit', () => document.getElementById('message').textContent.startsWith('Você já reservou'));
      step('flash sale: a second press is refused (one per customer)');
    }

    window.bigshopStopWatching?.();
    step('SELFTEST PASS');
    document.title = 'SELFTEST PASS';
  } catch (error) {
    step(`SELFTEST FAIL: ${error.message} (page says: ${document.getElementById('message').textContent})`);
    document.title = 'SELFTEST FAIL';
  }
})();
