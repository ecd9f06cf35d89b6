/** What every step of the demo shares: its fixed names, its numbered output, what it must stop. */

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:thaw-demo-restores';
export const BUCKET = 'thaw-demo-archive';
export const KEY = 'reports/2019 annual report.pdf';
export const RECIPIENT = 'customer@example.com';
export const TIMEOUT_MS = 60_000;

type Stop = () => Promise<void> | void;

/** The numbered steps printed so far and what to stop, last started first, when the demo ends. */
export class DemoRun {
  private step = 0;
  private readonly stops: Stop[] = [];

  say(message: string): void {
    this.step += 1;
    console.log(`[${String(this.step).padStart(2)}] ${message}`);
  }

  onStop(stop: Stop): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error('demo: cleanup step failed:', error instanceof Error ? error.message : error);
      }
    }
  }
}
