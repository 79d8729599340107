/** The id of the question whose yes applies the plan; the plan screen answers it itself. */
export const PLAN_QUESTION_ID = 'setup-plan';
