import { h } from './dom.js';

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A <time> showing an instant in the browser's time zone, its exact UTC value as the tooltip. */
export function time(instant) {
  if (!instant) return h('span', { class: 'muted' }, '—');
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return String(instant);
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, local.format(date));
}

/** 'in 5 minutes' / '3 hours ago' */
export function relative(instant, now = Date.now()) {
  const seconds = Math.round((new Date(instant).getTime() - now) / 1000);
  const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'second') return format.format(Math.trunc(seconds / size), unit);
  }
  return '';
}

export function list(values, empty = '—') {
  if (!values || !values.length) return h('span', { class: 'muted' }, empty);
  return h('ul', { class: 'inline-list' }, values.map((v) => h('li', {}, String(v))));
}

export function json(value) {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}

export function seconds(value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, 'default');
  if (value % 60 === 0) return `${value / 60} min`;
  return `${value} s`;
}

/** An ISO instant as the value of a datetime-local input (local time, to the second). */
export function toLocalInput(instant) {
  const date = new Date(instant);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
    + `${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A datetime-local value (local time) as an ISO instant, or null when empty or invalid. */
export function fromLocalInput(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
