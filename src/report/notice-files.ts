/**
 * Where `report --notices` writes in a pack: the `notices/` folder, its mail-merge list and its
 * checksum list. The manifest lists the two files by these paths; SHA256SUMS lists each notice.
 */
export const NOTICES_DIR = 'notices';
export const NOTICES_CSV = 'notices.csv';
export const NOTICE_SUMS = 'SHA256SUMS';
/** The manifest's output paths of a pack with notices. */
export const NOTICE_OUTPUTS = [`${NOTICES_DIR}/${NOTICES_CSV}`, `${NOTICES_DIR}/${NOTICE_SUMS}`] as const;
/** A notice's file name, as FILE_NAME_SQL makes it (see notices.ts), with its extension. */
export const NOTICE_NAME = /^[A-Za-z0-9_~-]+\.(md|html)$/;
