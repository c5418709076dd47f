/**
 * bridge
 *
 * @module
 */
export {};
