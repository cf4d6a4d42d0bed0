package io.mqchat.demo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

@Command(name = "register", mixinStandardHelpOptions = true, description = "Create an account.")
final class RegisterCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        new RestClient().register(common.api(), common.user, common.password);
        spec.commandLine().getOut().println("registered " + common.user);
        return 0;
    }
}
