/**
 * Every key builder and prefix of the table, in one namespace: for what must see all of them
 * (the data map's check that each has an entry, the IAM test's list of key kinds). Code that
 * builds a key imports it from keys.ts or service-keys.ts.
 */
export * from './keys.ts';
export * from './service-keys.ts';
