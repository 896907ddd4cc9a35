// Progress lines of a bench run, on stderr (stdout carries its report), stamped with the time.
export const log = (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
