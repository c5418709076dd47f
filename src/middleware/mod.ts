/**
 * middleware
 *
 * @module
 */
export {};
