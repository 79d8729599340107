import { Text, useAnimation } from 'ink';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-glyph spinner on Ink's shared animation timer, so several running rows cost one render per
 * tick instead of one timer each (as ink-spinner would).
 */
export function Spinner({ color }: { color: boolean }) {
  const { frame } = useAnimation({ interval: 80 });
  return <Text color={color ? 'cyan' : undefined}>{FRAMES[frame % FRAMES.length]}</Text>;
}
