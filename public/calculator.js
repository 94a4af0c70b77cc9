// A plain working calculator: the neutral page the quick exit (quick-exit.js) leaves for.
// It has nothing of the app: no link to it, no manifest, no app script. Immediate execution,
// as on a pocket calculator: 2 + 3 × 4 = 20. Keys on screen or on the keyboard.
(() => {
  const display = document.querySelector('[data-display]');
  const MAX_DIGITS = 12;
  let entry = '0';
  let stored = null;
  let operator = null;
  let fresh = true;

  if (navigator.language.startsWith('sr')) {
    document.documentElement.lang = 'sr-Latn';
    document.title = 'Kalkulator';
    document.querySelector('h1').textContent = 'Kalkulator';
  }

  const show = (text) => {
    display.textContent = text;
  };
  const format = (value) => (Number.isFinite(value) ? String(Number(value.toPrecision(MAX_DIGITS))) : 'E');
  const apply = (left, right) => {
    if (operator === '+') return left + right;
    if (operator === '-') return left - right;
    if (operator === '*') return left * right;
    return right === 0 ? NaN : left / right;
  };
  const settle = () => {
    const value = operator === null || stored === null ? Number(entry) : apply(stored, Number(entry));
    entry = format(value);
    stored = Number.isFinite(value) ? value : null;
    show(entry);
  };

  const press = (key) => {
    if (/^[0-9]$/.test(key)) {
      if (fresh) entry = key;
      else if (entry.replace(/[-.]/g, '').length < MAX_DIGITS) entry = entry === '0' ? key : entry + key;
      fresh = false;
      show(entry);
    } else if (key === '.') {
      if (fresh) entry = '0.';
      else if (!entry.includes('.')) entry += '.';
      fresh = false;
      show(entry);
    } else if ('+-*/'.includes(key)) {
      if (!fresh || stored === null) settle();
      operator = key;
      fresh = true;
    } else if (key === '=') {
      if (operator !== null && !fresh) settle();
      operator = null;
      fresh = true;
    } else if (key === 'C') {
      entry = '0';
      stored = null;
      operator = null;
      fresh = true;
      show(entry);
    }
  };

  document.addEventListener('click', (event) => {
    const key = event.target.closest('[data-key]');
    if (key) press(key.dataset.key);
  });
  document.addEventListener('keydown', (event) => {
    const key = { Enter: '=', Escape: 'C', Delete: 'C', ',': '.' }[event.key] ?? event.key;
    if (/^[0-9.+\-*/=C]$/.test(key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (key === '/') event.preventDefault();
      press(key);
    }
  });
})();
