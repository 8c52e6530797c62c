import { Department } from '../departments/department.entity.js';
import { EvaluationRun } from '../progress/evaluation-run.entity.js';
import { Milestone } from '../targets/milestone.entity.js';
import { Target } from '../targets/target.entity.js';

export const ENTITIES = [Department, Target, Milestone, EvaluationRun];
