import { words } from './format';
import { hrefTo } from './route';

/** An incident's tags, each a link to the search for the incidents that carry it. */
export function TagLinks({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          <a href={hrefTo.search({ tag })} title={`Incidents tagged ${tag}`}>
            {words(tag)}
          </a>
        </li>
      ))}
    </ul>
  );
}
