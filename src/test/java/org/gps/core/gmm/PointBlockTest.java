package org.gps.core.gmm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PointBlockTest {

    private static PointBlock piece(int group, long firstId, int n) {
        List<double[]> pts = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            pts.add(new double[] {firstId + j, -(firstId + j)});
        }
        return PointBlock.of(group, pts, firstId);
    }

    @Test
    void concatenatedPiecesAreCutIntoFullBlocksInOrder() {
        List<PointBlock> blocks = PointBlock.concatenate(List.of(piece(2, 0, 3), piece(2, 10, 5), piece(2, 20, 2)), 4);
        assertEquals(3, blocks.size());
        assertArrayEquals(new long[] {0, 1, 2, 10}, blocks.get(0).ids());
        assertArrayEquals(new long[] {11, 12, 13, 14}, blocks.get(1).ids());
        assertArrayEquals(new long[] {20, 21}, blocks.get(2).ids());
        assertArrayEquals(new double[] {11, -11, 12, -12, 13, -13, 14, -14}, blocks.get(1).data(), 0.0);
        assertArrayEquals(new double[] {2, -2, 10, -10}, java.util.Arrays.copyOfRange(blocks.get(0).data(), 4, 8), 0.0);
        assertEquals(2, blocks.get(2).group());
    }

    @Test
    void piecesOfDifferentGroupsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> PointBlock.concatenate(List.of(piece(0, 0, 2), piece(1, 5, 2)), 4));
    }
}
