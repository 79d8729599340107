/** The router's table: which component a screen name renders, and with which of the shared props. */
import type { FrontEndInput } from '../../run/front-end.ts';
import { useAppActions, useAppState } from '../context.tsx';
import { useDoctorKeys } from '../hooks/use-doctor-keys.ts';
import { canStartSetup, type ScreenName } from '../state/app-state.ts';
import { DoctorScreen } from './DoctorScreen.tsx';
import { QuestionScreen } from './QuestionScreen.tsx';
import { ApplyRoute, DoneRoute, PlanRoute } from './setup-routes.tsx';

export interface ScreenProps {
  /** Which screen; `focused` says whether its keys are live. */
  name: ScreenName;
  focused: boolean;
  input: FrontEndInput;
  columns: number;
  rows: number;
  now: number;
  final: boolean;
}

export function Screen({ name, ...props }: ScreenProps) {
  switch (name) {
    case 'doctor':
      return <DoctorRoute {...props} />;
    case 'question':
      return <QuestionScreen focused={props.focused} color={props.input.color} />;
    case 'plan':
      return (
        <PlanRoute
          focused={props.focused}
          color={props.input.color}
          columns={props.columns}
          rows={props.rows}
        />
      );
    case 'apply':
      return (
        <ApplyRoute
          focused={props.focused}
          color={props.input.color}
          now={props.now}
          columns={props.columns}
          rows={props.rows}
        />
      );
    case 'done':
      return (
        <DoneRoute focused={props.focused} input={props.input} columns={props.columns} rows={props.rows} />
      );
  }
}

function DoctorRoute({ focused, input, columns, rows, now, final }: Omit<ScreenProps, 'name'>) {
  const app = useAppState();
  const state = app.doctor;
  // A setup asks questions (auth, client type, the plan): without anyone to ask, none is offered.
  const canSetup =
    input.header.command !== 'setup' &&
    input.session.setup !== undefined &&
    input.prompts !== undefined &&
    canStartSetup(app);
  useDoctorKeys(useAppActions(), { isActive: focused, canSetup });
  return (
    <DoctorScreen
      state={state}
      header={input.header}
      columns={columns}
      rows={rows}
      now={now}
      color={input.color}
      final={final}
      canSetup={canSetup}
    />
  );
}
