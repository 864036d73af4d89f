import { useInput, useApp, useStdin, useStdout } from 'ink';
import { useEffect, useSyncExternalStore } from 'react';
import type { DashboardController } from '../dashboard-controller.js';
import { Dashboard } from './Dashboard.js';

export interface DashboardAppProps {
  readonly controller: DashboardController;
  /** Size the frame to the terminal and follow its resizes; tests keep the size they set. */
  readonly fitTerminal: boolean;
}

/** Wires the pure frame to the terminal: keys to the controller, resizes to the layout, `q` to exit. */
export function DashboardApp({ controller, fitTerminal }: DashboardAppProps) {
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  const { exit } = useApp();
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();

  useEffect(() => {
    if (!fitTerminal) return undefined;
    const onResize = () => controller.resize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [controller, stdout, fitTerminal]);

  useInput((input, key) => controller.key(input, key), { isActive: isRawModeSupported === true });

  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  return <Dashboard state={state} />;
}
