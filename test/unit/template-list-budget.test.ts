import {
  EMAIL_LIST_MAX_OBJECTS,
  EMAIL_PART_MAX_BYTES,
  renderWithinBudget,
} from '../../src/notify/list-budget';

interface Body {
  readonly html: string;
  readonly text: string;
  readonly listed: number;
}

/** A stand-in rendering: both parts `frame` bytes, and the HTML `perObject` more for each object named. */
function renderer(frame: number, perObject: number): { calls: number[]; render: (listed: number) => Body } {
  const calls: number[] = [];
  return {
    calls,
    render: (listed) => {
      calls.push(listed);
      const html = 'h'.repeat(frame + listed * perObject);
      return { html, text: 't'.repeat(frame), listed };
    },
  };
}

describe('renderWithinBudget', () => {
  it('renders once when the first 25 fit, and names every object of a small set', () => {
    const many = renderer(5_000, 1_000);
    expect(renderWithinBudget(1000, many.render).listed).toBe(EMAIL_LIST_MAX_OBJECTS);
    expect(many.calls).toEqual([EMAIL_LIST_MAX_OBJECTS]);
    const few = renderer(5_000, 1_000);
    expect(renderWithinBudget(3, few.render).listed).toBe(3);
    expect(few.calls).toEqual([3]);
  });

  it('names the most objects that keep each part within the budget', () => {
    const { render, calls } = renderer(10_000, 6_000); // 10 objects fit: 70,000 bytes exactly
    const body = renderWithinBudget(1000, render);
    expect(body.listed).toBe(10);
    expect(Buffer.byteLength(body.html)).toBeLessThanOrEqual(EMAIL_PART_MAX_BYTES);
    expect(calls.length).toBeLessThanOrEqual(7); // 25, 1, then halving 2..24
  });

  it('names one object when only one fits', () => {
    expect(renderWithinBudget(1000, renderer(10_000, 50_000).render).listed).toBe(1);
  });

  it('does not cut the list for nothing when the frame alone is too large', () => {
    const { render, calls } = renderer(EMAIL_PART_MAX_BYTES + 1, 100);
    expect(renderWithinBudget(1000, render).listed).toBe(EMAIL_LIST_MAX_OBJECTS);
    expect(calls).toEqual([EMAIL_LIST_MAX_OBJECTS, 1]);
  });
});
