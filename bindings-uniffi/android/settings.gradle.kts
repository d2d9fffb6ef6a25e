// The Android library module of mapsindoors-auth (an AAR): see README.md.
// Not built on this project's machines (no Android SDK or NDK there).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "mapsindoors-auth-android"
