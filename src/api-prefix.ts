/** Where the JSON API lives; pages are served from the root. */
export const API_PREFIX = 'api/v1';
