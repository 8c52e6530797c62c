/** The pages' cookies, named once so observability/ can read them without importing the web. */
export const SESSION_COOKIE = 'tm_session';
export const CSRF_COOKIE = 'tm_csrf';
export const LANG_COOKIE = 'tm_lang';
