/** Folder of the built web apps (wallet/, console/, explorer/, assets/); `vite build` writes it. */
export declare const WEB_DIST: string;
