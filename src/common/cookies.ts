/**
 * The cookies of the pages, named once: the web pages set them, and the queue board (observability/)
 * reads the session and the language without importing the web.
 */
export const SESSION_COOKIE = 'tm_session';
export const CSRF_COOKIE = 'tm_csrf';
export const LANG_COOKIE = 'tm_lang';
