/** JSON text of a `T`, for handlers that send stored JSON as it is (an import's rows) instead of an object. */
export type JsonText<T> = string & { readonly __json?: T };
