/** The API's pagination block, as Previous / Next with where you are. */
export interface PageInfo {
  page: number;
  limit: number;
  total: number;
  total_pages: number;
  has_next: boolean;
  has_prev: boolean;
}

export function Pagination({ info, onPage }: { info: PageInfo | undefined; onPage: (page: number) => void }) {
  if (!info || info.total_pages <= 1) return null;
  return (
    <nav className="pagination" aria-label="Pages">
      <button type="button" disabled={!info.has_prev} onClick={() => onPage(info.page - 1)}>
        Previous
      </button>
      <span>
        Page {info.page} of {info.total_pages} ({info.total})
      </span>
      <button type="button" disabled={!info.has_next} onClick={() => onPage(info.page + 1)}>
        Next
      </button>
    </nav>
  );
}
