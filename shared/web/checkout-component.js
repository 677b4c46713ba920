// <sendcloud-bridge-checkout>: delivery options and service points for a shop's checkout. No dependencies.
// Attributes: api (base URL of sendcloud-bridge), country, postal-code, weight-grams, order-value, account,
// channel. Emits `sendcloud-bridge-choice` (bubbles, composed) with { option, servicePoint, order } where
// `order` holds the fields to send with POST /orders.
(() => {
  if (customElements.get('sendcloud-bridge-checkout')) return;

  const STYLE = `
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1d2733; }
    fieldset { border: 1px solid #d0d7de; border-radius: 8px; margin: 0 0 12px; padding: 8px 12px; }
    legend { font-weight: 600; padding: 0 4px; }
    label { display: grid; grid-template-columns: auto 1fr auto; gap: 2px 10px; align-items: start;
      padding: 8px 4px; border-bottom: 1px solid #eef1f4; cursor: pointer; }
    label:last-of-type { border-bottom: 0; }
    input { margin-top: 3px; }
    .title { font-weight: 600; }
    .meta { grid-column: 2 / 4; color: #57606a; font-size: 12px; }
    .price { font-weight: 600; white-space: nowrap; }
    .notice { color: #9a6700; font-size: 12px; margin: 0 0 8px; }
    .empty { color: #57606a; }
  `;

  const html = (text) =>
    String(text ?? '').replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

  class SendcloudBridgeCheckout extends HTMLElement {
    static get observedAttributes() {
      return ['api', 'country', 'postal-code', 'weight-grams', 'order-value', 'account', 'channel'];
    }

    constructor() {
      super();
      this.attachShadow({ mode: 'open' });
      this.options = [];
      this.points = [];
      this.selected = null;
      this.point = null;
      this.generation = 0;
    }

    connectedCallback() {
      this.load();
    }

    attributeChangedCallback() {
      if (this.isConnected) this.load();
    }

    param(name, fallback) {
      return this.getAttribute(name) ?? fallback;
    }

    url(path, query) {
      const base = this.param('api', '').replace(/\/$/, '');
      const search = new URLSearchParams(
        Object.entries(query).filter(([, v]) => v !== undefined && v !== ''),
      );
      return `${base}${path}?${search}`;
    }

    async load() {
      const generation = ++this.generation;
      const country = this.param('country', '');
      if (!country) return this.render('Enter an address to see delivery options.');
      this.render('Loading delivery options…');
      try {
        const response = await fetch(
          this.url('/delivery-options', {
            account: this.param('account', 'default'),
            channel: this.param('channel', undefined),
            country,
            postalCode: this.param('postal-code', ''),
            weightGrams: this.param('weight-grams', '1000'),
            orderValue: this.param('order-value', '0'),
          }),
        );
        const body = await response.json();
        if (generation !== this.generation) return;
        if (!response.ok) return this.render(body.message ?? 'Delivery options are unavailable.');
        this.options = body.options ?? [];
        this.stale = body.stale === true;
        this.selected = null;
        this.point = null;
        this.points = [];
        this.render();
      } catch {
        if (generation === this.generation) this.render('Delivery options are unavailable right now.');
      }
    }

    async loadPoints(option) {
      const generation = this.generation;
      this.points = [];
      this.render(undefined, 'Loading pick-up points…');
      try {
        const response = await fetch(
          this.url('/service-points', {
            account: this.param('account', 'default'),
            country: this.param('country', ''),
            postalCode: this.param('postal-code', ''),
            carrier: option.carrier,
            limit: '10',
          }),
        );
        const body = await response.json();
        if (generation !== this.generation || this.selected !== option) return;
        this.points = body.servicePoints ?? [];
        this.pointsStale = body.stale === true;
        this.render();
      } catch {
        this.render(undefined, 'Pick-up points are unavailable right now.');
      }
    }

    choose(option) {
      this.selected = option;
      this.point = null;
      if (option.type === 'service_point') this.loadPoints(option);
      else {
        this.render();
        this.emit();
      }
    }

    choosePoint(point) {
      this.point = point;
      this.render();
      this.emit();
    }

    emit() {
      const option = this.selected;
      const order = {
        serviceLevel: option.order.serviceLevel,
        delivery:
          option.type === 'service_point'
            ? { type: 'service_point', servicePointId: this.point.id }
            : { type: 'home' },
        ...(option.order.shippingMethodId ? { shippingMethodId: option.order.shippingMethodId } : {}),
        ...(option.order.shippingMethod ? { shippingMethod: option.order.shippingMethod } : {}),
      };
      this.dispatchEvent(
        new CustomEvent('sendcloud-bridge-choice', {
          bubbles: true,
          composed: true,
          detail: { option, servicePoint: this.point, order },
        }),
      );
    }

    render(message, pointsMessage) {
      const root = this.shadowRoot;
      const today = DAYS[new Date().getDay()];
      const options = this.options
        .map(
          (o, i) => `
          <label part="option">
            <input type="radio" name="option" value="${i}" ${o === this.selected ? 'checked' : ''}>
            <span class="title">${html(o.title)}</span>
            <span class="price">${o.price ? `€ ${html(o.price.amount)}` : ''}</span>
            <span class="meta">${html(o.carrierName ?? o.carrier)} · expected ${html(o.expectedDeliveryDate)} · order before ${html(o.cutOff)}</span>
          </label>`,
        )
        .join('');
      const points = this.points
        .map((p, i) => {
          const hours = p.openingHours.find((d) => d.day === today)?.text ?? '';
          const km = p.distanceMeters === null ? '' : ` · ${(p.distanceMeters / 1000).toFixed(1)} km`;
          return `
          <label part="service-point">
            <input type="radio" name="point" value="${i}" ${p === this.point ? 'checked' : ''}>
            <span class="title">${html(p.name)}</span>
            <span></span>
            <span class="meta">${html(p.address.street)} ${html(p.address.houseNumber)}, ${html(p.address.city)}${km} · today ${html(hours)}</span>
          </label>`;
        })
        .join('');
      const pointSection =
        this.selected?.type === 'service_point'
          ? `<fieldset><legend>Pick-up point</legend>
              ${this.pointsStale ? '<p class="notice">Showing saved pick-up points.</p>' : ''}
              ${pointsMessage ? `<p class="empty">${html(pointsMessage)}</p>` : points || '<p class="empty">No pick-up points nearby.</p>'}
            </fieldset>`
          : '';
      root.innerHTML = `<style>${STYLE}</style>
        <fieldset><legend>Delivery</legend>
          ${this.stale ? '<p class="notice">Showing saved delivery options.</p>' : ''}
          ${message ? `<p class="empty">${html(message)}</p>` : options || '<p class="empty">No delivery options for this address.</p>'}
        </fieldset>${pointSection}`;
      for (const input of root.querySelectorAll('input[name="option"]'))
        input.addEventListener('change', () => this.choose(this.options[Number(input.value)]));
      for (const input of root.querySelectorAll('input[name="point"]'))
        input.addEventListener('change', () => this.choosePoint(this.points[Number(input.value)]));
    }
  }

  customElements.define('sendcloud-bridge-checkout', SendcloudBridgeCheckout);
})();
