package org.gps.core.gmm;

import java.util.List;

/** EM over points held in memory: tests, small fits and the reference for the distributed version. */
public final class GmmEm {
    private GmmEm() {
    }

    public static EmResult fit(List<PointBlock> blocks, int clusters, GmmOptions options, Gmm previous) {
        Moments global = new Moments(blocks.get(0).dim());
        for (PointBlock b : blocks) {
            global.add(b);
        }
        EmRun run = new EmRun(clusters, global, options, previous);
        if (run.needsRandomAssignment()) {
            EmStatistics init = EmStatistics.emptyInitial(clusters, run.initialShift());
            for (PointBlock b : blocks) {
                init.addRandomAssignment(options.seed(), b);
            }
            run.acceptInitial(init);
        } else if (run.needsCandidates()) {
            PointSample sample = new PointSample(run.candidateCount(), options.seed());
            for (PointBlock b : blocks) {
                sample.add(b);
            }
            run.acceptCandidates(sample.points());
        }
        while (run.needsCentresPass()) {
            KMeansStatistics s = KMeansStatistics.empty(run.centres());
            for (PointBlock b : blocks) {
                s.add(b);
            }
            run.acceptCentresPass(s);
        }
        while (!run.done()) {
            Gmm model = run.current();
            EmStatistics s = EmStatistics.empty(model);
            for (PointBlock b : blocks) {
                s.addExpectation(model, b);
            }
            run.acceptExpectation(s);
        }
        return run.result();
    }

    /**
     * K = max(2, min(maxClusters, floor(points / minSamplesPerCluster))) (docs/algorithm.md section 3).
     */
    public static int clusterCount(long points, int maxClusters, int minSamplesPerCluster) {
        return (int) Math.max(2, Math.min(maxClusters, points / minSamplesPerCluster));
    }
}
