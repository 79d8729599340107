import { Text } from 'ink';

/** The keys this screen answers to, always on the last line. */
export const DOCTOR_KEY_HINTS = '↑↓ move  enter details  q quit';

export function KeyHints({ hints, color }: { hints: string; color: boolean }) {
  return <Text dimColor={color}>{hints}</Text>;
}
