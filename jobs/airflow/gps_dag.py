"""Airflow DAG for GPS on Spark: one DAG run per GPS iteration.

Each DAG run takes one iteration I of one run directory R through the pipeline's steps, one
spark-submit application per step (docs/airflow.md):

    first_iteration -> init                          (iteration 0 only)
    sample -> fit_dynamics -> trajopt                (every iteration)
    needs_policy -> train_policy                     (algorithm mdgps or badmm only)
    has_next_iteration -> next_iteration             (triggers the DAG run of I + 1)

Every step reads only completed inputs and publishes its outputs atomically (temporary folder,
rename, completion marker), and a rerun replaces its own outputs with identical ones, so
Airflow's retries, "clear" and backfills are safe: a retried task starts again from the same
inputs and leaves exactly what an uninterrupted run leaves. A step exits 2 on a bad or missing
input (retrying does not help then: read the task log) and 1 on an internal failure.

Trigger the first iteration with, for example:

    airflow dags trigger gps_iteration --conf '{"run_dir": "hdfs:///gps/runs/pendulum",
        "config": "hdfs:///gps/configs/trajopt.yaml", "iterations": 15}'

The task list, its order and every --option below are checked against the jar's command line
by src/test/java/org/gps/pipeline/cli/AirflowDagTest.java: keep it in step with that test.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum

from airflow import DAG
from airflow.models.param import Param
from airflow.operators.python import ShortCircuitOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

DAG_ID = "gps_iteration"
MAIN_CLASS = "org.gps.pipeline.cli.Main"
# The Airflow connection that says where spark-submit sends the job (master, deploy mode, queue).
# SparkSubmitOperator does not template conn_id, so it is a constant rather than a param.
SPARK_CONN_ID = "spark_default"

# Settings every step needs, whatever the cluster's spark-defaults.conf says; the same as
# jobs/spark-gps.conf, which the spark-submit launcher and the standalone cluster test use.
SPARK_CONF = {
    # Kryo for what Spark serializes itself (broadcast models, task results, shuffled records).
    # The registrator is required: plain Kryo cannot rebuild the Java records the steps pass
    # around (fit-dynamics fails with "can't get field offset on a record class").
    "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
    "spark.kryo.registrator": "org.gps.spark.GpsKryoRegistrator",
    # One task per core already; a multi-threaded native BLAS inside each task would oversubscribe.
    "spark.executorEnv.OPENBLAS_NUM_THREADS": "1",
    "spark.executorEnv.MKL_NUM_THREADS": "1",
    # ... and in a driver that runs on the cluster (deploy mode cluster on YARN or Kubernetes).
    "spark.yarn.appMasterEnv.OPENBLAS_NUM_THREADS": "1",
    "spark.kubernetes.driverEnv.OPENBLAS_NUM_THREADS": "1",
    # The EM's SIMD kernels need the JDK's incubating Vector API; without it they run scalar
    # loops (the same numbers, about 10% slower EM).
    "spark.driver.extraJavaOptions": "--add-modules=jdk.incubator.vector",
    "spark.executor.extraJavaOptions": "--add-modules=jdk.incubator.vector",
    # The per-(condition, t) shuffles are small: Spark's 200 default partitions only add tasks.
    "spark.sql.shuffle.partitions": "{{ params.shuffle_partitions }}",
    # A failed step is rerun whole by Airflow (retries below), not by YARN under the same task.
    "spark.yarn.maxAppAttempts": "1",
    # Memory through conf, which the operator templates (its executor_memory argument it does not).
    "spark.executor.memory": "{{ params.executor_memory }}",
    "spark.driver.memory": "{{ params.driver_memory }}",
}

RUN_DIR = "{{ params.run_dir }}"
ITERATION = "{{ params.iteration }}"


def spark_step(task_id: str, step: str, *args: str, **kwargs) -> SparkSubmitOperator:
    """One pipeline step as one Spark application: `gps STEP ARGS` run by spark-submit."""
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id=SPARK_CONN_ID,
        application="{{ params.jar }}",
        java_class=MAIN_CLASS,
        name=f"gps {step} " + "{{ params.run_dir }} iteration {{ params.iteration }}",
        application_args=[step, *args],
        conf=SPARK_CONF,
        **kwargs,
    )


def _first_iteration(params: dict) -> bool:
    return int(params["iteration"]) == 0


def _needs_policy(params: dict) -> bool:
    # TrajOpt has no policy; MDGPS and BADMM train it after every C-step (docs/algorithm.md section 1).
    return params["algorithm"] in ("mdgps", "badmm")


def _has_next_iteration(params: dict) -> bool:
    return int(params["iteration"]) + 1 < int(params["iterations"])


with DAG(
    dag_id=DAG_ID,
    description="One GPS iteration (sample, fit-dynamics, trajopt, train-policy) on Spark",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    # The steps' contract is one writer per output: one DAG run at a time, so two runs of the
    # same run directory never overlap. For several run directories at once, copy this file
    # under another DAG_ID per run directory (runs of different directories never touch).
    max_active_runs=1,
    default_args={
        # Safe: every step is idempotent and atomic (see the module docstring).
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
    },
    params={
        "run_dir": Param("hdfs:///gps/runs/pendulum", type="string",
                         description="Run directory R, a Hadoop URI every executor can reach"),
        "iteration": Param(0, type=["integer", "string"], minimum=0, pattern="^[0-9]+$",
                           description="The GPS iteration this DAG run does, from 0"),
        "iterations": Param(15, type=["integer", "string"], minimum=1, pattern="^[0-9]+$",
                            description="Stop chaining after this many iterations (the config's 'iterations')"),
        "config": Param("hdfs:///gps/configs/trajopt.yaml", type="string",
                        description="Experiment config, read by init at iteration 0 only"),
        "algorithm": Param("trajopt", enum=["trajopt", "mdgps", "badmm"],
                           description="The config's 'algorithm': mdgps and badmm add train-policy"),
        "jar": Param("hdfs:///gps/jars/gps.jar", type="string",
                     description="The shaded application jar (target/gps.jar of mvn package), as spark-submit sees it"),
        "executor_memory": Param("2g", type="string"),
        "driver_memory": Param("2g", type="string"),
        "shuffle_partitions": Param(8, type=["integer", "string"]),
    },
    # Templates render to strings: spark-submit's arguments must be strings.
    render_template_as_native_obj=False,
    tags=["gps", "spark"],
) as dag:
    first_iteration = ShortCircuitOperator(
        task_id="first_iteration",
        python_callable=_first_iteration,
        # Skip only init when I > 0; sample still runs (its trigger rule is none_failed).
        ignore_downstream_trigger_rules=False,
    )

    init = spark_step("init", "init", "--config", "{{ params.config }}", "--run-dir", RUN_DIR)

    sample = spark_step("sample", "sample", "--run-dir", RUN_DIR, "--iteration", ITERATION,
                        trigger_rule="none_failed")

    fit_dynamics = spark_step("fit_dynamics", "fit-dynamics", "--run-dir", RUN_DIR, "--iteration", ITERATION)

    trajopt = spark_step("trajopt", "trajopt", "--run-dir", RUN_DIR, "--iteration", ITERATION)

    needs_policy = ShortCircuitOperator(
        task_id="needs_policy",
        python_callable=_needs_policy,
        ignore_downstream_trigger_rules=False,
    )

    train_policy = spark_step("train_policy", "train-policy", "--run-dir", RUN_DIR, "--iteration", ITERATION)

    has_next_iteration = ShortCircuitOperator(
        task_id="has_next_iteration",
        python_callable=_has_next_iteration,
        # After train_policy when it ran, and also when needs_policy skipped it.
        trigger_rule="none_failed",
    )

    next_iteration = TriggerDagRunOperator(
        task_id="next_iteration",
        trigger_dag_id=DAG_ID,
        trigger_run_id="{{ params.run_dir | replace('/', '_') }}__iter_{{ params.iteration | int + 1 }}",
        conf={
            "run_dir": "{{ params.run_dir }}",
            "iteration": "{{ params.iteration | int + 1 }}",
            "iterations": "{{ params.iterations }}",
            "config": "{{ params.config }}",
            "algorithm": "{{ params.algorithm }}",
            "jar": "{{ params.jar }}",
            "executor_memory": "{{ params.executor_memory }}",
            "driver_memory": "{{ params.driver_memory }}",
            "shuffle_partitions": "{{ params.shuffle_partitions }}",
        },
        # A cleared or retried DAG run must not start a second run of the next iteration.
        skip_when_already_exists=True,
    )

    first_iteration >> init >> sample >> fit_dynamics >> trajopt >> needs_policy >> train_policy
    train_policy >> has_next_iteration >> next_iteration
