/**
 * static
 *
 * @module
 */
export {};
