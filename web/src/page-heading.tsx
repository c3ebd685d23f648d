import { useEffect, useRef, type ReactNode } from 'react';

/** The page's h1. It takes the focus when the page opens, so a screen reader announces where the desk went. */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
