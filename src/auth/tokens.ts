import { createHash, randomBytes } from 'node:crypto';

export const API_TOKEN_PREFIX = 'tm_';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An opaque secret: 32 random bytes, base64url. */
export const newSecret = () => randomBytes(32).toString('base64url');

export const newApiToken = () => `${API_TOKEN_PREFIX}${newSecret()}`;
