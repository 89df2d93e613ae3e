import { render, type ComponentType } from 'preact';
import '../../styles/base.css';
import { lang } from '../i18n';

/**
 * mount starts an app: it sets the page's language for screen readers and
 * hyphenation, marks the body with the app's name for its styles, and renders
 * the app into #app.
 */
export function mount(name: string, App: ComponentType) {
  document.documentElement.lang = lang;
  document.body.classList.add(`app-${name}`);
  const root = document.getElementById('app');
  if (!root) throw new Error('mount: the page has no #app element');
  render(<App />, root);
}
