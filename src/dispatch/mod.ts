/**
 * dispatch
 *
 * @module
 */
export {};
