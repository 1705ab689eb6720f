/* global document */
/**
 * A tiny element builder. Text always goes in as text nodes, never as HTML:
 * comment texts and account ids come from the public and must not run.
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attributes]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = String(value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else if (typeof child === 'object' && 'nodeType' in child) element.append(child);
    else element.append(document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function mount(target, ...children) {
  target.replaceChildren();
  append(target, children);
}
