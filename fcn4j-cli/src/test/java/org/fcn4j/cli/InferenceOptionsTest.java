package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading bf16 support from /proc/cpuinfo text, for the warning on CPUs that would emulate bf16. */
class InferenceOptionsTest {
    @Test
    void findsBf16InX86FlagsAndArmFeaturesOnly() {
        assertThat(InferenceOptions.hasBf16Flag("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16 avx_vnni\n"))
                .isTrue();
        assertThat(InferenceOptions.hasBf16Flag("flags\t\t: fpu amx_tile amx_bf16\n"))
                .isTrue();
        assertThat(InferenceOptions.hasBf16Flag("Features\t: fp asimd sve bf16 i8mm\n"))
                .isTrue();
        // AVX-512 without its bf16 extension, and the word elsewhere than in the flags, do not count
        assertThat(InferenceOptions.hasBf16Flag("flags\t\t: fpu avx512f avx512_vnni\nmodel name\t: bf16 box\n"))
                .isFalse();
        assertThat(InferenceOptions.hasBf16Flag("")).isFalse();
    }
}
