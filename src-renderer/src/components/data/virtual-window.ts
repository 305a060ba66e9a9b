// Windowing math of the virtualised record table: which rows a scroll position shows, and the spacer that stands for the rest.

/** Browsers cap an element's height (Chromium ~33.5M px, Firefox ~17.9M px); above this the scrollbar is scaled. */
export const MAX_SPACER_PX = 8_000_000;

export interface WindowInput {
  total: number;
  rowHeight: number;
  viewportHeight: number;
  scrollTop: number;
  /** Extra rows drawn above and below the visible ones, so a fast scroll does not show blanks. */
  overscan?: number;
  maxSpacerPx?: number;
}

export interface RowWindow {
  /** First row drawn (inclusive) and the row after the last drawn (exclusive). */
  first: number;
  last: number;
  /** Height of the scrolling spacer (the total height, capped). */
  spacerHeight: number;
  /** Where the first drawn row sits inside the spacer, in px. */
  offsetTop: number;
}

/** The rows to draw for a scroll position. With a capped spacer, scrollTop maps linearly onto the full virtual height. */
export function computeWindow(input: WindowInput): RowWindow {
  const { rowHeight, viewportHeight } = input;
  const total = Math.max(0, Math.floor(input.total));
  const overscan = input.overscan ?? 6;
  const cap = input.maxSpacerPx ?? MAX_SPACER_PX;
  const virtualHeight = total * rowHeight;
  const spacerHeight = Math.min(virtualHeight, cap);
  const maxScroll = Math.max(0, spacerHeight - viewportHeight);
  const scrollTop = Math.min(Math.max(0, input.scrollTop), maxScroll);
  // 1 when nothing is capped; otherwise how many virtual px one scrolled px stands for.
  const ratio = maxScroll > 0 && virtualHeight > spacerHeight ? (virtualHeight - viewportHeight) / maxScroll : 1;
  const virtualTop = scrollTop * ratio;
  const firstVisible = Math.floor(virtualTop / rowHeight);
  const lastVisible = Math.ceil((virtualTop + viewportHeight) / rowHeight);
  const first = Math.max(0, Math.min(total, firstVisible - overscan));
  const last = Math.max(first, Math.min(total, lastVisible + overscan));
  // Place the drawn block so the visible row lands where the (scaled) scroll position says it should.
  const offsetTop = scrollTop + (first * rowHeight - virtualTop);
  return { first, last, spacerHeight, offsetTop };
}

/** The page numbers (of `pageSize` rows) that rows [first, last) fall into. */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  if (last <= first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((last - 1) / pageSize); p++) pages.push(p);
  return pages;
}
