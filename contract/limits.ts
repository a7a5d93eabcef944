/** Limits the config validates and the builders are sized for. */

/** The account count this design is tested for; the archive's policy builders refuse lists whose policy would not fit. */
export const MAX_ACCOUNTS = 1_000;
