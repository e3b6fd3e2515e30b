def test_probe(ansible, winhost):
    for args in ('script=1 bogus=1', 'script=1 depth=x', ''):
        run = ansible.adhoc('psremoting.pssession.invoke', args)
        print('\n###', run.results[0].get('msg'))
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - psremoting.pssession.invoke:
        script: "'x'"
      register: r
    - psremoting.pssession.disconnect:
    - psremoting.pssession.receive:
""", '--check')
    print('### check', run.rc, [(r['_status'], r.get('msg')) for r in run.results])
