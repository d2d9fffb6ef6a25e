// The Maven artifact's packaging: the generated classes and the native
// library come from the JAR (Surefire puts the JAR, not target/classes, on
// the class path), and JNA found the library there, not through a
// jna.library.path pointing at cargo's output.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.AuthClient
import com.mapsindoors.auth.errorCodes
import com.sun.jna.NativeLibrary
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

class PackagingTest {
    @Test
    fun nativeLibraryIsLoadedFromTheJar() {
        assertNull("jna.library.path must not be set", System.getProperty("jna.library.path"))
        val codeSource = AuthClient::class.java.protectionDomain.codeSource.location.path
        assertTrue("AuthClient from $codeSource", codeSource.endsWith(".jar"))
        val resource = AuthClient::class.java.classLoader.getResource("linux-x86-64/libmapsindoors_auth_uniffi.so")
        assertEquals("jar", resource?.protocol)
        // A call into Rust loads the library; JNA extracted it from the JAR to a temporary file.
        assertTrue(errorCodes().isNotEmpty())
        val loaded = NativeLibrary.getInstance("mapsindoors_auth_uniffi").file
        assertFalse("loaded $loaded, not cargo's copy", loaded.path.contains("${File.separator}uniffi${File.separator}debug"))
    }
}
